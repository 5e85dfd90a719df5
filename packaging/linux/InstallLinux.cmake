# Linux install rules beyond the programs: the probe's systemd unit and docs; the app's desktop entry, AppStream
# metadata and icons. Included by packaging/Packaging.cmake.
include_guard(GLOBAL)

# ---- probe ----
# The unit in the source tree names the paths of a /usr install (that is what check-packaging.sh verifies and
# what the DEB uses). For another prefix, write a copy that names the installed paths.
file(READ "${CMAKE_CURRENT_LIST_DIR}/../systemd/worldspeed-probe.service" _worldspeed_unit)
string(REPLACE "/usr/bin/worldspeed-probe" "${CMAKE_INSTALL_FULL_BINDIR}/worldspeed-probe"
    _worldspeed_unit "${_worldspeed_unit}")
string(REPLACE "/usr/share/doc/worldspeed-probe/" "${CMAKE_INSTALL_PREFIX}/${WORLDSPEED_PROBE_DOCDIR}/"
    _worldspeed_unit "${_worldspeed_unit}")
# Plain file(WRITE), not configure_file(): the unit's ${CREDENTIALS_DIRECTORY} is systemd's to expand and
# its "@mount/@privileged"-style syscall groups would be taken for @VAR@. Written only when it changes.
set(_worldspeed_unit_out "${CMAKE_BINARY_DIR}/packaging/worldspeed-probe.service")
set(_worldspeed_unit_old "")
if(EXISTS "${_worldspeed_unit_out}")
    file(READ "${_worldspeed_unit_out}" _worldspeed_unit_old)
endif()
if(NOT _worldspeed_unit_old STREQUAL _worldspeed_unit)
    file(WRITE "${_worldspeed_unit_out}" "${_worldspeed_unit}")
endif()
unset(_worldspeed_unit)
unset(_worldspeed_unit_old)

# lib/systemd/system under the prefix: /usr/lib/systemd/system for packages, and systemd also reads
# /usr/local/lib/systemd/system for a default (/usr/local) install.
install(FILES "${_worldspeed_unit_out}"
    DESTINATION lib/systemd/system
    COMPONENT probe)
# An example only: /etc/default/worldspeed-probe is the administrator's file, never overwritten by an install.
install(FILES "${CMAKE_CURRENT_LIST_DIR}/../systemd/worldspeed-probe.default"
    DESTINATION "${WORLDSPEED_PROBE_DOCDIR}"
    RENAME worldspeed-probe.default.example
    COMPONENT probe)
install(FILES "${CMAKE_CURRENT_LIST_DIR}/../README.md"
    DESTINATION "${WORLDSPEED_PROBE_DOCDIR}"
    COMPONENT probe)

# ---- app ----
if(WORLDSPEED_BUILD_APP)
    # The metadata's newest release must be this version: software centres show it, and a stale one misleads.
    file(READ "${CMAKE_CURRENT_LIST_DIR}/${WORLDSPEED_APP_ID}.metainfo.xml" _worldspeed_metainfo)
    string(REGEX MATCH "<release version=\"([^\"]+)\"" _worldspeed_release "${_worldspeed_metainfo}")
    if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
        message(FATAL_ERROR "packaging/linux/${WORLDSPEED_APP_ID}.metainfo.xml: the first <release> is "
            "'${CMAKE_MATCH_1}' but the project is ${PROJECT_VERSION}; add a <release> for this version")
    endif()
    unset(_worldspeed_metainfo)
    unset(_worldspeed_release)

    install(FILES "${CMAKE_CURRENT_LIST_DIR}/${WORLDSPEED_APP_ID}.desktop"
        DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/applications"
        COMPONENT app)
    install(FILES "${CMAKE_CURRENT_LIST_DIR}/${WORLDSPEED_APP_ID}.metainfo.xml"
        DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/metainfo"
        COMPONENT app)
    # hicolor/<size>/apps/worldspeed.png and hicolor/scalable/apps/worldspeed.svg, made at build time.
    install(DIRECTORY "${WORLDSPEED_ICON_DIR}/hicolor"
        DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/icons"
        COMPONENT app)
    install(FILES "${PROJECT_SOURCE_DIR}/app/cli/README.md" "${PROJECT_SOURCE_DIR}/app/cli/JSON.md"
        DESTINATION "${WORLDSPEED_APP_DOCDIR}/cli"
        COMPONENT app)
endif()
