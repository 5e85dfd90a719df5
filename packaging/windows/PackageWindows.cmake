# Windows: an NSIS installer with the app, the CLI, the probe and the Qt libraries windeployqt gathers.
# NOT TESTED: written on Linux, where neither windeployqt nor NSIS runs (see the README, "Building on Windows").
#   cmake --preset release && cmake --build --preset release && cpack --config build/release/CPackConfig.cmake
include_guard(GLOBAL)

set(CPACK_GENERATOR "NSIS")
# One installer, one staging tree: the app's default fleet starts local probes, so the probe is never optional,
# and windeployqt must see all three programs in one bin\.
set(CPACK_MONOLITHIC_INSTALL ON)
set(CPACK_NSIS_DISPLAY_NAME "WorldSpeed")
set(CPACK_NSIS_PACKAGE_NAME "WorldSpeed ${PROJECT_VERSION}")
set(CPACK_NSIS_MUI_ICON "${WORLDSPEED_ICON_DIR}/worldspeed.ico")
set(CPACK_NSIS_MUI_UNIICON "${WORLDSPEED_ICON_DIR}/worldspeed.ico")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\worldspeed.exe")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
# Start-menu entry for the app only; the CLI and the probe are for terminals and services.
set(CPACK_PACKAGE_EXECUTABLES "worldspeed" "WorldSpeed")
set(CPACK_NSIS_EXECUTABLES_DIRECTORY "bin")
# Offer to put bin\ on PATH, for worldspeed-cli.
set(CPACK_NSIS_MODIFY_PATH ON)

if(WORLDSPEED_BUILD_APP)
    # The icon in the executable itself (Explorer, the taskbar).
    configure_file("${CMAKE_CURRENT_LIST_DIR}/worldspeed.rc.in" "${CMAKE_BINARY_DIR}/packaging/worldspeed.rc" @ONLY)
    target_sources(worldspeed PRIVATE "${CMAKE_BINARY_DIR}/packaging/worldspeed.rc")
    set_source_files_properties("${CMAKE_BINARY_DIR}/packaging/worldspeed.rc"
        PROPERTIES OBJECT_DEPENDS "${WORLDSPEED_ICON_DIR}/worldspeed.ico")
    add_dependencies(worldspeed worldspeed_icons)
endif()

# windeployqt copies the Qt DLLs, plugins (platform, SQLite, image formats, TLS) and the compiler runtime next to
# the programs at install time. It gets all three: the probe and the CLI need Qt Network and WebSockets, which the
# app alone would also bring, but naming them keeps that true if the app stops linking them.
find_program(WORLDSPEED_WINDEPLOYQT NAMES windeployqt windeployqt6
    HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" "${Qt6_DIR}/../../../bin")
if(NOT WORLDSPEED_WINDEPLOYQT)
    message(WARNING "windeployqt not found: the installer would lack the Qt libraries")
else()
    set(_worldspeed_deploy_targets worldspeed-probe.exe)
    if(WORLDSPEED_BUILD_APP)
        list(PREPEND _worldspeed_deploy_targets worldspeed.exe)
        list(APPEND _worldspeed_deploy_targets worldspeed-cli.exe)
    endif()
    install(CODE "
        set(_programs)
        foreach(_name ${_worldspeed_deploy_targets})
            list(APPEND _programs \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/\${_name}\")
        endforeach()
        execute_process(
            COMMAND \"${WORLDSPEED_WINDEPLOYQT}\" --release --no-translations --no-system-d3d-compiler
                --no-opengl-sw --compiler-runtime \${_programs}
            COMMAND_ERROR_IS_FATAL ANY)
        " COMPONENT probe)
    unset(_worldspeed_deploy_targets)
endif()
