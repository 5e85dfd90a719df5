#include "regionpicker.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

RegionPicker::RegionPicker(const QList<RegionCatalog::Region> &regions, const QStringList &selected, QWidget *parent)
    : QDialog(parent)
    , m_tree(new QTreeWidget(this))
{
    setWindowTitle(tr("Regions"));
    m_tree->setHeaderHidden(true);
    m_tree->setColumnCount(1);
    QHash<QString, QTreeWidgetItem *> continents;
    RegionCatalog order;
    for (const RegionCatalog::Region &region : regions)
        order.add(region);
    for (const QString &continent : order.continents()) {
        auto *group = new QTreeWidgetItem(m_tree, { continent.isEmpty() ? tr("Other") : continent });
        group->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
        group->setExpanded(true);
        continents.insert(continent, group);
    }
    for (const RegionCatalog::Region &region : regions) {
        auto *item = new QTreeWidgetItem(continents.value(region.continent),
            { region.country.isEmpty() ? QStringLiteral("%1 (%2)").arg(region.city, region.code)
                                       : QStringLiteral("%1, %2 (%3)").arg(region.city, region.country, region.code) });
        item->setData(0, Qt::UserRole, region.code);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(0, selected.contains(region.code) ? Qt::Checked : Qt::Unchecked);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *all = buttons->addButton(tr("Select all"), QDialogButtonBox::ActionRole);
    QPushButton *none = buttons->addButton(tr("Select none"), QDialogButtonBox::ActionRole);
    connect(all, &QPushButton::clicked, this, [this] { setAllChecked(true); });
    connect(none, &QPushButton::clicked, this, [this] { setAllChecked(false); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tree);
    layout->addWidget(buttons);
    resize(420, 520);
}

QStringList RegionPicker::selectedCodes() const
{
    QStringList codes;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        const QString code = (*it)->data(0, Qt::UserRole).toString();
        if (!code.isEmpty() && (*it)->checkState(0) == Qt::Checked)
            codes.append(code);
    }
    return codes;
}

void RegionPicker::setAllChecked(bool checked)
{
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        if (!(*it)->data(0, Qt::UserRole).toString().isEmpty())
            (*it)->setCheckState(0, checked ? Qt::Checked : Qt::Unchecked);
    }
}
