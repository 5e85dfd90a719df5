# macOS: worldspeed.app (with worldspeed-probe and worldspeed-cli inside, beside the app, and the Qt frameworks
# macdeployqt copies in) on a DMG.
# NOT TESTED: written on Linux, where neither macdeployqt nor hdiutil runs (see the README, "Building on macOS").
#   cmake --preset release && cmake --build --preset release && cpack --config build/release/CPackConfig.cmake
include_guard(GLOBAL)

set(CPACK_GENERATOR "DragNDrop")
set(CPACK_DMG_VOLUME_NAME "WorldSpeed")
set(CPACK_DMG_FORMAT "UDZO")
# One staging tree: macdeployqt must see the bundle with all three programs in it.
set(CPACK_MONOLITHIC_INSTALL ON)

if(NOT WORLDSPEED_BUILD_APP)
    return() # a probe-only build installs worldspeed-probe to bin/ like any Unix program
endif()

set_source_files_properties("${WORLDSPEED_ICON_DIR}/worldspeed.icns"
    PROPERTIES GENERATED TRUE MACOSX_PACKAGE_LOCATION Resources)
target_sources(worldspeed PRIVATE "${WORLDSPEED_ICON_DIR}/worldspeed.icns")
add_dependencies(worldspeed worldspeed_icons)
set_target_properties(worldspeed PROPERTIES
    MACOSX_BUNDLE_BUNDLE_NAME "WorldSpeed"
    MACOSX_BUNDLE_GUI_IDENTIFIER "${WORLDSPEED_APP_ID}"
    MACOSX_BUNDLE_ICON_FILE "worldspeed.icns"
    MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
    MACOSX_BUNDLE_COPYRIGHT "The WorldSpeed developers")

# macdeployqt copies the Qt frameworks and plugins into the bundle and rewrites the programs' library paths; the
# probe and the CLI are named with -executable= so that their own links are rewritten too.
find_program(WORLDSPEED_MACDEPLOYQT NAMES macdeployqt macdeployqt6
    HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" "${Qt6_DIR}/../../../bin")
if(NOT WORLDSPEED_MACDEPLOYQT)
    message(WARNING "macdeployqt not found: the DMG would lack the Qt frameworks")
else()
    install(CODE "
        set(_bundle \"\${CMAKE_INSTALL_PREFIX}/worldspeed.app\")
        execute_process(
            COMMAND \"${WORLDSPEED_MACDEPLOYQT}\" \"\${_bundle}\" -always-overwrite
                \"-executable=\${_bundle}/Contents/MacOS/worldspeed-probe\"
                \"-executable=\${_bundle}/Contents/MacOS/worldspeed-cli\"
            COMMAND_ERROR_IS_FATAL ANY)
        " COMPONENT app)
endif()
