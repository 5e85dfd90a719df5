#include "appenvironment.h"
#include "fleet/keychainsecretstore.h"
#include "historystore.h"
#include "mainwindow.h"
#include "windowlayoutkeeper.h"

#include <QApplication>
#include <QIcon>
#include <QMessageBox>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    AppEnvironment::nameApplication();
    // The installed desktop entry's name (packaging/linux/): Wayland compositors match the window to it by this.
    QApplication::setDesktopFileName(QStringLiteral("org.worldspeed.WorldSpeed"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/worldspeed/icons/worldspeed.svg")));

    // HistoryStore creates the file and a missing folder itself, readable by this user only.
    const QString databasePath = AppEnvironment::databasePath();
    // Frames are written on the GUI thread as they arrive: synchronous=NORMAL (about 30 µs a frame here, against
    // 240 µs for FULL) still loses nothing already received when the app crashes; only a power cut could.
    HistoryStore history(databasePath, HistoryStore::Durability::ProcessCrash);
    if (!history.open()) {
        QMessageBox::critical(nullptr, QStringLiteral("WorldSpeed"),
            QStringLiteral("The test history cannot be opened: %1").arg(history.lastError()));
        return 1;
    }
    KeychainSecretStore secrets;
    MainWindow::Services services;
    services.history = &history;
    services.secrets = &secrets;
    services.fleetConfigPath = AppEnvironment::fleetConfigPath();
    MainWindow window(services);
    window.layoutKeeper()->restore();
    window.show();
    return QApplication::exec();
}
