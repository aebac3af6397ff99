# Packaging entry points (see packaging/README.md). `make dist` builds everything for the current OS.
.PHONY: dist dist-clean smoke ci-build icons licenses startup

dist:            ## one-folder app + (Linux) .tar.gz and .deb in dist/
	packaging/build.sh

dist-clean:      ## the same from a freshly created build venv
	packaging/build.sh --clean

smoke:           ## unpack the .deb into a temp root and run the installed launcher headless
	packaging/smoke.sh

ci-build:        ## what CI runs: system packages, clean build, smoke test, budgets
	packaging/ci-build.sh

startup:         ## measure the frozen app's cold start
	python3 packaging/measure_startup.py

icons:           ## re-render resources/icons from vkref.svg
	.venv/bin/python packaging/make_icons.py

licenses:        ## re-collect third-party licence texts from the build venv
	build/venv/bin/python packaging/collect_licenses.py
