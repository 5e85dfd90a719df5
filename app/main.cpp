#include "fleet/keychainsecretstore.h"
#include "historystore.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QIcon>
#include <QMessageBox>
#include <QStandardPaths>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("WorldSpeed"));
    QApplication::setApplicationName(QStringLiteral("WorldSpeed"));
    QApplication::setApplicationVersion(QStringLiteral(WORLDSPEED_VERSION));
    // The installed desktop entry's name (packaging/linux/): Wayland compositors match the window to it by this.
    QApplication::setDesktopFileName(QStringLiteral("org.worldspeed.WorldSpeed"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/worldspeed/icons/worldspeed.svg")));

    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(data);
    // Frames are written on the GUI thread as they arrive: synchronous=NORMAL (about 30 µs a frame here, against
    // 240 µs for FULL) still loses nothing already received when the app crashes; only a power cut could.
    HistoryStore history(QDir(data).filePath(QStringLiteral("history.sqlite")), HistoryStore::Durability::ProcessCrash);
    if (!history.open()) {
        QMessageBox::critical(nullptr, QStringLiteral("WorldSpeed"),
            QStringLiteral("The test history cannot be opened: %1").arg(history.lastError()));
        return 1;
    }
    KeychainSecretStore secrets;
    MainWindow::Services services;
    services.history = &history;
    services.secrets = &secrets;
    services.fleetConfigPath = QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                                   .filePath(QStringLiteral("fleet.json"));
    MainWindow window(services);
    window.show();
    return QApplication::exec();
}
