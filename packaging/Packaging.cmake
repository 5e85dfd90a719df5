# Install rules for the probe's service files, and basic CPack metadata.
# Included at the end of the top-level CMakeLists.txt. The probe binary's own rule lives in probe/CMakeLists.txt.
include_guard(GLOBAL)
include(GNUInstallDirs)

set(WORLDSPEED_PROBE_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/worldspeed-probe")

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # The unit in the source tree names the paths of a /usr install (that is what check-packaging.sh verifies and
    # what a distribution package uses). For another prefix, write a copy that names the installed paths.
    file(READ "${CMAKE_CURRENT_LIST_DIR}/systemd/worldspeed-probe.service" _worldspeed_unit)
    string(REPLACE "/usr/bin/worldspeed-probe" "${CMAKE_INSTALL_FULL_BINDIR}/worldspeed-probe"
        _worldspeed_unit "${_worldspeed_unit}")
    string(REPLACE "/usr/share/doc/worldspeed-probe/" "${CMAKE_INSTALL_PREFIX}/${WORLDSPEED_PROBE_DOCDIR}/"
        _worldspeed_unit "${_worldspeed_unit}")
    # Plain file(WRITE), not configure_file(): the unit's ${CREDENTIALS_DIRECTORY} is systemd's to expand and
    # its "@mount/@privileged"-style syscall groups would be taken for @VAR@. Written only when it changes.
    set(_worldspeed_unit_out "${CMAKE_CURRENT_BINARY_DIR}/packaging/worldspeed-probe.service")
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
    install(FILES "${CMAKE_CURRENT_LIST_DIR}/systemd/worldspeed-probe.default"
        DESTINATION "${WORLDSPEED_PROBE_DOCDIR}"
        RENAME worldspeed-probe.default.example
        COMPONENT probe)
    install(FILES "${CMAKE_CURRENT_LIST_DIR}/README.md"
        DESTINATION "${WORLDSPEED_PROBE_DOCDIR}"
        COMPONENT probe)
endif()

# Name, version and contact only; generators (DEB with its dependencies) are set up separately.
set(CPACK_PACKAGE_NAME "worldspeed")
set(CPACK_PACKAGE_VENDOR "WorldSpeed")
# TODO(packaging): a real maintainer address before the DEB generator uses it.
set(CPACK_PACKAGE_CONTACT "WorldSpeed maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "TGZ")
set(CPACK_SOURCE_GENERATOR "TGZ")
# A source package must not carry local build trees or the repository itself (regular expressions; VERBATIM
# so they need no second level of escaping).
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "/\\.cache/")
include(CPack)
