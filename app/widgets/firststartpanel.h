#pragma once

#include "fleet/fleetconfig.h"
#include "regioncatalog.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

// What a new user sees above the map while the fleet is only this computer: what a region is, a button to add
// one (the Fleet editor's form), and where this computer is — the pin the default config guessed from the time
// zone (Greenwich for UTC) until the user picks a city. Picking one moves the local region there in the fleet
// config (placed(), with the config to save); nothing is guessed again after that. It hides itself once the fleet
// has a region other than this computer, and when dismissed.
class FirstStartPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FirstStartPanel)

public:
    explicit FirstStartPanel(QWidget *parent = nullptr);
    ~FirstStartPanel() override;

    // Whether `config` is a first start: one region, on this computer (or none at all).
    static bool isFirstStart(const FleetConfig &config);
    // The config with its local regions at `city` (a code of the catalog).
    static FleetConfig placedAt(FleetConfig config, const RegionCatalog::Region &city);

    // Shows the panel for a first start (unless dismissed), and where the local region is now.
    void setConfig(const FleetConfig &config);

    QPushButton *addButton() const { return m_add; }
    QComboBox *placeCombo() const { return m_place; }
    QPushButton *dismissButton() const { return m_dismiss; }
    QLabel *textLabel() const { return m_text; }

signals:
    void addRegionRequested();
    // The local region moved to the place the user chose: save and use this config.
    void placed(const FleetConfig &config);

private:
    void onPlaceChosen(int index);

    RegionCatalog m_catalog;
    FleetConfig m_config;
    bool m_dismissed = false;
    QLabel *m_text;
    QComboBox *m_place;
    QPushButton *m_add;
    QPushButton *m_dismiss;
};
