#pragma once

#include <QString>

// What the probe's container image (packaging/container) promises to whoever runs it, read from its own files, so
// that the Kubernetes pod spec and the Fly machine config are checked against the image rather than against a copy
// of its numbers: the user it runs as (Containerfile's USER), the port it listens on (EXPOSE and the entry
// point's --listen), its health check (HEALTHCHECK's command), the token file its entry point reads, and the
// seccomp profile its run options name.
struct ContainerImage
{
    int uid = -1;
    int gid = -1;
    int port = -1;
    QString healthCommand;
    QString tokenPath;
    QString seccompProfile; // path inside the repository

    // From the checkout's packaging/container; *error says what could not be read.
    static ContainerImage fromSources(QString *error);
};
