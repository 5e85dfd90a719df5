# DEB packages for Debian 12 and its relatives: worldspeed-probe and worldspeed (packaging/README.md).
# Build them from the package preset, whose prefix is /usr:
#   cmake --preset package && cmake --build --preset package && cpack --preset package
include_guard(GLOBAL)

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "DEB packages want CMAKE_INSTALL_PREFIX=/usr (the package preset); this tree installs to "
        "${CMAKE_INSTALL_PREFIX}, so its packages would put files there")
endif()

set(CPACK_GENERATOR "DEB")
# CPackDeb puts the shared summary in front of every package's own description, whose first line is already its
# synopsis; without it each package reads as Debian wants: synopsis, then the extended text.
unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
# dpkg-shlibdeps finds the libraries the programs link (Qt, QtKeychain, libstdc++) and their versions.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# worldspeed's Depends gets "worldspeed-probe (= version)" from CPACK_COMPONENT_APP_DEPENDS.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Control files 0644 and scripts 0755 whatever the umask of the build: dpkg and lintian insist.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_PROBE_PACKAGE_NAME "worldspeed-probe")
set(CPACK_DEBIAN_PROBE_PACKAGE_SECTION "net")
# The browser it drives. Not found by dpkg-shlibdeps: the probe starts it as a program.
set(CPACK_DEBIAN_PROBE_PACKAGE_DEPENDS "chromium")
# Metric-compatible Arial/Times/Courier, so pages lay out as on a desktop; Qt's TLS backend for wss://.
set(CPACK_DEBIAN_PROBE_PACKAGE_RECOMMENDS "fonts-liberation, ca-certificates")
set(CPACK_DEBIAN_PROBE_DESCRIPTION
"page-speed probe: loads pages in headless Chromium for WorldSpeed
worldspeed-probe drives Chromium over the Chrome DevTools Protocol and streams
each page load's timings (every request, TTFB, FCP, LCP, load) to WorldSpeed
clients over an authenticated WebSocket. The package carries a hardened
systemd unit; it is not enabled until a token is configured (see
/usr/share/doc/worldspeed-probe/README.md).")

set(CPACK_DEBIAN_APP_PACKAGE_NAME "worldspeed")
set(CPACK_DEBIAN_APP_PACKAGE_SECTION "web")
# A plugin loaded at run time, so dpkg-shlibdeps cannot see it: SQLite for the history. (The SVG icon engine
# comes with libqt6svg6, which the app links.)
set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS "libqt6sql6-sqlite")
# Tokens live in the desktop's secret service (QtKeychain through libsecret); Wayland sessions want Qt's plugin.
set(CPACK_DEBIAN_APP_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager | keepassxc, qt6-wayland")
set(CPACK_DEBIAN_APP_DESCRIPTION
"page-speed test from many regions at once, in a real browser
WorldSpeed loads a web page in Chromium from many regions of the world at the
same time and shows what each saw: load times on a world map, a live
waterfall of every request, charts, a history of tests, and export as CSV,
HAR and PDF. Probes run on this computer, on your own servers, or on Fly.io
or Kubernetes, started on demand. worldspeed-cli runs the same tests from
scripts and CI pipelines, with performance budgets.")

# Debian policy asks every package for its copyright file and changelog. Both packages come from one source, so
# they share one changelog, whose newest entry must be this version.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/changelog" _worldspeed_changelog_top LIMIT_COUNT 1)
if(NOT _worldspeed_changelog_top MATCHES "^worldspeed \\(${PROJECT_VERSION}\\) ")
    message(FATAL_ERROR "packaging/debian/changelog starts with '${_worldspeed_changelog_top}' but the project is "
        "${PROJECT_VERSION}; add an entry for this version")
endif()
unset(_worldspeed_changelog_top)
find_program(WORLDSPEED_GZIP gzip REQUIRED)
set(_worldspeed_changelog_gz "${CMAKE_BINARY_DIR}/packaging/changelog.gz")
# gzip -n: no name or time stamp inside, so the same source makes the same package.
add_custom_command(OUTPUT "${_worldspeed_changelog_gz}"
    COMMAND "${WORLDSPEED_GZIP}" -9 -n -c "${CMAKE_CURRENT_LIST_DIR}/changelog" > "${_worldspeed_changelog_gz}"
    DEPENDS "${CMAKE_CURRENT_LIST_DIR}/changelog"
    COMMENT "Compressing the Debian changelog")
add_custom_target(worldspeed_deb_changelog ALL DEPENDS "${_worldspeed_changelog_gz}")
foreach(_worldspeed_component IN LISTS CPACK_COMPONENTS_ALL)
    string(TOUPPER "${_worldspeed_component}" _worldspeed_upper)
    set(_worldspeed_docdir "${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_DEBIAN_${_worldspeed_upper}_PACKAGE_NAME}")
    install(FILES "${_worldspeed_changelog_gz}" "${CMAKE_CURRENT_LIST_DIR}/copyright"
        DESTINATION "${_worldspeed_docdir}"
        COMPONENT ${_worldspeed_component})
endforeach()
unset(_worldspeed_upper)
unset(_worldspeed_docdir)
unset(_worldspeed_changelog_gz)

# The probe's unit: reload systemd on install, upgrade and removal; restart a running probe on upgrade, stop it
# on removal. Never enabled by the package: it cannot run before the administrator writes its token.
set(CPACK_DEBIAN_PROBE_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/probe/postinst"
    "${CMAKE_CURRENT_LIST_DIR}/probe/prerm"
    "${CMAKE_CURRENT_LIST_DIR}/probe/postrm")
