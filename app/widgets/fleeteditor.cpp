#include "fleeteditor.h"

#include "regionform.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

FleetEditor::FleetEditor(SecretStore *secrets, QWidget *parent)
    : QWidget(parent)
    , m_secrets(secrets)
    , m_list(new QTreeWidget(this))
    , m_add(new QPushButton(tr("&Add region…"), this))
    , m_edit(new QPushButton(tr("Ed&it…"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
{
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({ tr("Code"), tr("Name"), tr("Backend"), tr("Place"), tr("Pool") });
    m_list->header()->setStretchLastSection(true);
    m_list->setAccessibleName(tr("Regions"));
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &FleetEditor::updateButtons);
    connect(m_list, &QTreeWidget::itemActivated, this, &FleetEditor::editSelected);
    connect(m_add, &QPushButton::clicked, this, &FleetEditor::addRegion);
    connect(m_edit, &QPushButton::clicked, this, &FleetEditor::editSelected);
    connect(m_remove, &QPushButton::clicked, this, &FleetEditor::removeSelected);
    m_add->setToolTip(tr("A place to measure from: this computer, a probe of yours, Fly.io or Kubernetes."));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    updateButtons();
}

FleetEditor::~FleetEditor() = default;

void FleetEditor::setConfig(const FleetConfig &config)
{
    if (config == m_config && m_list->topLevelItemCount() == config.regions.size())
        return;
    m_config = config;
    fillList();
}

QString FleetEditor::backendText(const RegionConfig &region)
{
    const QJsonObject &backend = region.backendSettings;
    if (region.backendType == u"local")
        return tr("This computer");
    if (region.backendType == u"static") {
        const qsizetype probes = backend.value(QStringLiteral("probes")).toArray().size();
        return probes == 1 ? tr("Your own probe") : tr("Your own probes (%1)").arg(probes);
    }
    const QString where = backend.value(QStringLiteral("region")).toString();
    const QString kind = region.backendType == u"fly" ? tr("Fly.io") : tr("Kubernetes");
    return where.isEmpty() ? kind : QStringLiteral("%1 (%2)").arg(kind, where);
}

void FleetEditor::fillList()
{
    const int selected = m_list->currentIndex().row();
    m_list->clear();
    for (const RegionConfig &region : std::as_const(m_config.regions)) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(CodeColumn, region.code);
        item->setText(NameColumn, region.name);
        item->setText(BackendColumn, backendText(region));
        item->setText(
            PlaceColumn, QStringLiteral("%1, %2").arg(region.latitude, 0, 'f', 2).arg(region.longitude, 0, 'f', 2));
        const PoolSettings &pool = region.pool;
        item->setText(PoolColumn,
            (pool.min == pool.max ? tr("%1 runners").arg(pool.max) : tr("%1–%2 runners").arg(pool.min).arg(pool.max))
                + QStringLiteral(", ")
                + (pool.singleUse ? tr("single use") : tr("%1 runs each").arg(pool.maxConcurrency)));
    }
    for (int column = 0; column < PoolColumn; ++column)
        m_list->resizeColumnToContents(column);
    if (selected >= 0 && selected < m_list->topLevelItemCount())
        m_list->setCurrentItem(m_list->topLevelItem(selected));
    updateButtons();
}

void FleetEditor::updateButtons()
{
    const bool selected = !m_list->selectedItems().isEmpty();
    m_edit->setEnabled(selected);
    m_remove->setEnabled(selected && m_config.regions.size() > 1);
    m_remove->setToolTip(m_config.regions.size() > 1
            ? tr("Takes the region out of the fleet; its token stays in the keychain.")
            : tr("A fleet needs at least one region."));
}

void FleetEditor::addRegion()
{
    openForm(-1);
}

void FleetEditor::editSelected()
{
    const int index = m_list->indexOfTopLevelItem(m_list->currentItem());
    if (index >= 0)
        openForm(index);
}

void FleetEditor::removeSelected()
{
    const int index = m_list->indexOfTopLevelItem(m_list->currentItem());
    if (index < 0 || m_config.regions.size() <= 1)
        return;
    m_config.regions.removeAt(index);
    fillList();
    emit configEdited(m_config);
}

void FleetEditor::openForm(int index)
{
    QList<RegionConfig> others = m_config.regions;
    const RegionConfig *edited = nullptr;
    RegionConfig original;
    if (index >= 0) {
        original = others.takeAt(index);
        edited = &original;
    }
    RegionForm form(others, m_secrets, edited, this);
    emit formOpened(&form);
    if (form.exec() != QDialog::Accepted)
        return;
    if (index >= 0)
        m_config.regions.replace(index, form.region());
    else
        m_config.regions.append(form.region());
    fillList();
    m_list->setCurrentItem(m_list->topLevelItem(index >= 0 ? index : m_list->topLevelItemCount() - 1));
    emit configEdited(m_config);
}
