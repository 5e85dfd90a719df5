#pragma once

#include "regioncatalog.h"

#include <QDialog>

class QTreeWidget;

// Which regions a test runs in: the fleet's regions by city, grouped by continent, with select all / none.
class RegionPicker final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegionPicker)

public:
    RegionPicker(const QList<RegionCatalog::Region> &regions, const QStringList &selected, QWidget *parent = nullptr);
    QStringList selectedCodes() const;
    void setAllChecked(bool checked);

private:
    QTreeWidget *m_tree;
};
