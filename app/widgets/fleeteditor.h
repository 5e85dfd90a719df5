#pragma once

#include "fleet/fleetconfig.h"

#include <QWidget>

class QPushButton;
class QTreeWidget;
class RegionForm;
class SecretStore;

// The fleet config's regions as a list, with Add…, Edit… and Remove: each region is edited in a RegionForm
// (validated as the fleet checks it; its token goes to the keychain). Every change is announced with the whole
// config, which the settings dialog shows as JSON too, so the list and the JSON never disagree. A fleet keeps at
// least one region, so the last one cannot be removed.
class FleetEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetEditor)

public:
    enum Column { CodeColumn, NameColumn, BackendColumn, PlaceColumn, PoolColumn, ColumnCount };

    // `secrets` is not owned and may be null.
    explicit FleetEditor(SecretStore *secrets, QWidget *parent = nullptr);
    ~FleetEditor() override;

    void setConfig(const FleetConfig &config);
    FleetConfig config() const { return m_config; }

    // "Your own probe (1 URL)", "Fly.io (syd)": what a backend is, for the list.
    static QString backendText(const RegionConfig &region);

    // Opens the form for a new region / the selected one; the form is modal and comes back through
    // configEdited() when accepted. The open form is formOpened()'s, for tests.
    void addRegion();
    void editSelected();
    void removeSelected();

    QTreeWidget *list() const { return m_list; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *removeButton() const { return m_remove; }

signals:
    void configEdited(const FleetConfig &config);
    // A form is about to be shown (exec()); a test fills it from here.
    void formOpened(RegionForm *form);

private:
    void openForm(int index); // -1: a new region
    void updateButtons();
    void fillList();

    SecretStore *m_secrets;
    FleetConfig m_config;
    QTreeWidget *m_list;
    QPushButton *m_add;
    QPushButton *m_edit;
    QPushButton *m_remove;
};
