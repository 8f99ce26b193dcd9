# The Debian package (scripts/package, docs/INSTALL.md): what `cmake --install` puts where,
# and CPack's DEB generator. Paths under the prefix are relative (CPack installs them under
# /usr); the configuration and the units are absolute, as Debian wants them.
install(TARGETS tribune RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Everything the binary reads from its share folder (app/share_dir.h).
install(DIRECTORY pipelines overlays web examples moderation DESTINATION ${CMAKE_INSTALL_DATADIR}/tribune)
install(FILES packaging/edge.json DESTINATION ${CMAKE_INSTALL_DATADIR}/tribune/examples)
install(FILES packaging/tribune.json DESTINATION /etc/tribune)
install(FILES packaging/tribune.service packaging/tribune-edge.service DESTINATION /lib/systemd/system)

# Debian's changelog, compressed as lintian wants it; its first entry must be this version.
file(STRINGS packaging/changelog TRIBUNE_CHANGELOG_HEAD LIMIT_COUNT 1)
if(NOT TRIBUNE_CHANGELOG_HEAD MATCHES "^tribune \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog: its first entry is '${TRIBUNE_CHANGELOG_HEAD}', the project is "
                      "${PROJECT_VERSION}: add an entry for ${PROJECT_VERSION}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/packaging)
execute_process(COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/packaging/changelog
                OUTPUT_FILE ${CMAKE_BINARY_DIR}/packaging/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/packaging/tribune.1
                OUTPUT_FILE ${CMAKE_BINARY_DIR}/packaging/tribune.1.gz COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/packaging/tribune.1)
install(FILES ${CMAKE_BINARY_DIR}/packaging/tribune.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES packaging/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.gz README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tribune)
set(CPACK_PACKAGE_CONTACT "Tribune developers <dev@tribune.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tribune_VERSION_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "broadcast of municipal council meetings
Tribune puts a council meeting live on YouTube, Facebook and the
commune's own channels: it captures the chamber's camera and sound,
encodes once, restreams to every platform, records locally and writes
the chaptered replay. A console in the browser runs the session
(agenda, speakers, votes, on-air graphics) and the viewers' questions.
.
This package runs Tribune as a service (tribune.service), its console
on http://127.0.0.1:8080/, and ships the public edge's unit
(tribune-edge.service, not enabled).")
# The libraries from the binary; what it loads at run time besides: GStreamer's plugins,
# GIO's TLS (rtmps://), libwebsockets' libev event loop, the fonts of the on-air graphics,
# the tools that read an uploaded convocation's text (pdftotext, odt2txt, docx2txt).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "adduser, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, \
gstreamer1.0-plugins-bad, gstreamer1.0-plugins-ugly, gstreamer1.0-libav, glib-networking, ca-certificates, \
libwebsockets-evlib-ev, fonts-open-sans, fonts-dejavu-core, poppler-utils, odt2txt, docx2txt")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
