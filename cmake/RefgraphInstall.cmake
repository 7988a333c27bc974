# RefgraphInstall.cmake — installing refgraph's libraries.
#
# rg_install_library(TARGET) installs one library of the build, with
# everything a user of the installed tree needs to link it:
#   - TARGET itself (static, as the build's programs and tests link it),
#     exported as refgraph::<EXPORT_NAME>_static when RG_SHARED is on, and
#     as refgraph::<EXPORT_NAME> otherwise;
#   - with RG_SHARED (the default), a shared copy, TARGET_shared, built from
#     the same sources with the same include directories, definitions,
#     options and links (a link to another installed library becomes a link
#     to its shared copy), exported as refgraph::<EXPORT_NAME>;
#   - its public headers (the folders of its $<BUILD_INTERFACE:...> include
#     directories), in the "dev" install component with the libraries and
#     the package files;
#   - its -l flag in the pkg-config file.
# Call it once per library, dependencies first (a library before those that
# link it): adding a library to the installed tree is one line, e.g.
#   rg_install_library(refgraph_format)   # before refgraph_core, which links it
# An installed library takes the build's flags directly (RG_WARN_FLAGS,
# RG_SAN_FLAGS, RG_DEFINITIONS, as core/CMakeLists.txt does), not by linking
# rg_options or rg_warnings: a static library's links are exported, and
# those interface targets are not.
option(RG_SHARED "Install shared libraries too (refgraph::core is then the shared one)" ON)

function(rg_install_library lib)
  get_target_property(export_name ${lib} EXPORT_NAME)
  if(NOT export_name)
    set(export_name ${lib})
  endif()
  get_target_property(output_name ${lib} OUTPUT_NAME)
  if(NOT output_name)
    set(output_name ${lib})
  endif()
  set(installed ${lib})
  if(RG_SHARED)
    set_target_properties(${lib} PROPERTIES EXPORT_NAME ${export_name}_static)
    get_target_property(dir ${lib} SOURCE_DIR)
    get_target_property(sources ${lib} SOURCES)
    set(abs_sources)
    foreach(s ${sources})
      if(NOT IS_ABSOLUTE ${s})
        set(s ${dir}/${s})
      endif()
      list(APPEND abs_sources ${s})
    endforeach()
    set(twin ${lib}_shared)
    add_library(${twin} SHARED ${abs_sources})
    foreach(prop INCLUDE_DIRECTORIES INTERFACE_INCLUDE_DIRECTORIES COMPILE_DEFINITIONS
                 INTERFACE_COMPILE_DEFINITIONS COMPILE_OPTIONS LINK_OPTIONS)
      get_target_property(v ${lib} ${prop})
      if(v)
        set_property(TARGET ${twin} PROPERTY ${prop} "${v}")
      endif()
    endforeach()
    # A link the static library passes on (in its interface, not as
    # $<LINK_ONLY:...>) is PUBLIC; the others are PRIVATE.
    get_target_property(links ${lib} LINK_LIBRARIES)
    get_target_property(iface ${lib} INTERFACE_LINK_LIBRARIES)
    if(NOT links)
      set(links)
    endif()
    if(NOT iface)
      set(iface)
    endif()
    foreach(l ${links})
      set(mapped ${l})
      if(TARGET ${l}_shared)
        set(mapped ${l}_shared)
      endif()
      if(l IN_LIST iface)
        target_link_libraries(${twin} PUBLIC ${mapped})
      else()
        target_link_libraries(${twin} PRIVATE ${mapped})
      endif()
    endforeach()
    # $ORIGIN: a shared library finds the installed libraries it needs
    # (refgraph_core needs refgraph_format) beside itself, wherever the
    # prefix is (a program's RUNPATH does not serve its libraries' needs).
    set_target_properties(${twin} PROPERTIES OUTPUT_NAME ${output_name} EXPORT_NAME ${export_name}
                          VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
                          INSTALL_RPATH "\$ORIGIN")
    list(APPEND installed ${twin})
  endif()
  install(TARGETS ${installed} EXPORT refgraphTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  # its public headers: the folders its build interface includes
  get_target_property(incs ${lib} INTERFACE_INCLUDE_DIRECTORIES)
  foreach(inc ${incs})
    if(inc MATCHES "^\\$<BUILD_INTERFACE:(.*)>$")
      install(DIRECTORY ${CMAKE_MATCH_1}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY RG_INSTALLED_OUTPUT_NAMES ${output_name})
endfunction()

# The pkg-config file and the CMake package, written for the prefix chosen
# at install time (cmake --install --prefix P): the .pc finds the prefix from
# its own place (${pcfiledir}), the CMake package from its own (as
# configure_package_config_file and install(EXPORT) do).
function(rg_install_package)
  include(CMakePackageConfigHelpers)
  set(pcdir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
    set(RG_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
  else()
    file(RELATIVE_PATH up /p/${pcdir} /p)
    string(REGEX REPLACE "/$" "" up "${up}")
    set(RG_PC_PREFIX "\${pcfiledir}/${up}")
  endif()
  foreach(d LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE ${CMAKE_INSTALL_${d}})
      set(RG_PC_${d} ${CMAKE_INSTALL_${d}})
    else()
      set(RG_PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
    endif()
  endforeach()
  # -l flags in link order: a library before the ones it needs
  get_property(names GLOBAL PROPERTY RG_INSTALLED_OUTPUT_NAMES)
  list(REVERSE names)
  list(TRANSFORM names PREPEND -l)
  list(JOIN names " " RG_PC_LIBS)
  # jansson is public (refgraph/jsonout.h hands out json_t values).
  # Shared: the libraries carry their own dependencies (zlib is private).
  # Static only: a plain `pkg-config --libs` link needs zlib too.
  if(RG_SHARED)
    set(RG_PC_REQUIRES "Requires: jansson")
    set(RG_PC_REQUIRES_PRIVATE "Requires.private: zlib")
  else()
    set(RG_PC_REQUIRES "Requires: zlib jansson")
    set(RG_PC_REQUIRES_PRIVATE "")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/refgraph.pc.in ${PROJECT_BINARY_DIR}/refgraph.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/refgraph.pc DESTINATION ${pcdir} COMPONENT dev)
  install(EXPORT refgraphTargets NAMESPACE refgraph:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/refgraph
          COMPONENT dev)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/refgraphConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/refgraphConfig.cmake
                                INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/refgraph)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/refgraphConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/refgraphConfig.cmake ${PROJECT_BINARY_DIR}/refgraphConfigVersion.cmake
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/refgraph COMPONENT dev)
endfunction()
