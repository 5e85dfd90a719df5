# Everything installed besides the programs (whose rules live beside their targets), and CPack: DEB packages on
# Linux, an NSIS installer on Windows, a DMG on macOS. Included at the end of the top-level CMakeLists.txt.
#
# Two install components, one package each:
#   probe → worldspeed-probe: the probe daemon, its systemd unit and docs (for servers; needs no display)
#   app   → worldspeed: the desktop app, worldspeed-cli, desktop entry, AppStream metadata, icons
#           (depends on worldspeed-probe: the app's default fleet starts local probes)
include_guard(GLOBAL)
include(GNUInstallDirs)

set(WORLDSPEED_APP_ID "org.worldspeed.WorldSpeed")
set(WORLDSPEED_PROBE_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/worldspeed-probe")
set(WORLDSPEED_APP_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/worldspeed")
# Built by resources/ (worldspeed_icons) from resources/icons/worldspeed.svg.
set(WORLDSPEED_ICON_DIR "${CMAKE_BINARY_DIR}/icons")

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    include("${CMAKE_CURRENT_LIST_DIR}/linux/InstallLinux.cmake")
endif()

# ---- CPack: what every generator shares ----
set(CPACK_PACKAGE_NAME "worldspeed")
set(CPACK_PACKAGE_VENDOR "WorldSpeed")
# An address in the reserved .invalid domain until the project has a real one: honest about being unreachable.
set(CPACK_PACKAGE_CONTACT "WorldSpeed developers <maintainers@worldspeed.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "WorldSpeed")
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "TGZ")
# A source package must not carry local build trees or the repository itself (regular expressions; VERBATIM
# so they need no second level of escaping).
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "/\\.cache/" "/node_modules/")

if(WORLDSPEED_BUILD_APP)
    set(CPACK_COMPONENTS_ALL app probe)
else()
    set(CPACK_COMPONENTS_ALL probe)
endif()
set(CPACK_COMPONENT_PROBE_DISPLAY_NAME "WorldSpeed probe")
set(CPACK_COMPONENT_PROBE_DESCRIPTION
    "Headless daemon that loads pages in Chromium and streams the timings to WorldSpeed")
set(CPACK_COMPONENT_APP_DISPLAY_NAME "WorldSpeed")
set(CPACK_COMPONENT_APP_DESCRIPTION "The desktop app and worldspeed-cli")
set(CPACK_COMPONENT_APP_DEPENDS probe)

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    include("${CMAKE_CURRENT_LIST_DIR}/debian/PackageDeb.cmake")
elseif(WIN32)
    include("${CMAKE_CURRENT_LIST_DIR}/windows/PackageWindows.cmake")
elseif(APPLE)
    include("${CMAKE_CURRENT_LIST_DIR}/macos/PackageMacOS.cmake")
else()
    set(CPACK_GENERATOR "TGZ")
endif()

include(CPack)
