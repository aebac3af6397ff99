; Inno Setup 6 script for vkref: a per-user installer (no administrator rights) of the PyInstaller one-folder build.
;
;   iscc /DAppVersion=0.1.0 /DSourceDir=..\..\dist\vkref /DOutputDir=..\..\dist packaging\windows\vkref.iss
;
; packaging/build.sh passes these on Windows (Git Bash); the defaults below work from the repository root.
; The AppId is fixed forever: it is how a newer installer finds and replaces an older installation.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\vkref"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
AppId={{7C1E52B4-6A0D-4F7E-9B3C-2E8D5A41F0C7}
AppName=vkref
AppVersion={#AppVersion}
AppVerName=vkref {#AppVersion}
AppPublisher=vkref developers
AppComments=Offline evidence reference on vitamin K2 and bone health
VersionInfoVersion={#AppVersion}
; per-user install: no UAC prompt, lands in %LOCALAPPDATA%\Programs\vkref
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\vkref
DefaultGroupName=vkref
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=vkref-{#AppVersion}-windows-setup
SetupIconFile=..\..\resources\icons\vkref.ico
UninstallDisplayIcon={app}\vkref.exe
UninstallDisplayName=vkref
Uninstallable=yes
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no
ChangesAssociations=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; a new version replaces the old bundle completely (stale Qt plugins or modules must not linger)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\vkref"; Filename: "{app}\vkref.exe"; Comment: "Evidence on vitamin K2 and bone health"
Name: "{autoprograms}\vkref self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\vkref-cli.exe"" --self-test"; IconFilename: "{app}\vkref.exe"
Name: "{autodesktop}\vkref"; Filename: "{app}\vkref.exe"; Tasks: desktopicon

[Registry]
; .vkref bundles open with vkref (per user, HKA = HKCU for a per-user install): vkref.exe FILE.vkref
Root: HKA; Subkey: "Software\Classes\.vkref"; ValueType: string; ValueName: ""; ValueData: "vkref.bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.vkref"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-vkref-bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\vkref.bundle"; ValueType: string; ValueName: ""; ValueData: "vkref library bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\vkref.bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\vkref.exe,0"
Root: HKA; Subkey: "Software\Classes\vkref.bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\vkref.exe"" ""%1"""

[Run]
Filename: "{app}\vkref.exe"; Description: "{cm:LaunchProgram,vkref}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; user data is never deleted: the library in %LOCALAPPDATA%\vkref stays, and so does a portable-mode
; {app}\library (the folder then remains after uninstalling); only the derived search index goes
Type: filesandordirs; Name: "{app}\library\index"
Type: files; Name: "{app}\vkref-portable"
