#pragma once

#include "historystore.h"

#include <QAbstractTableModel>
#include <QList>

#include <optional>

// The history list: one row per stored test, newest first, as HistoryStore::list() gives them, with the settings
// that make two tests comparable or not (connection profile, device, runs) and how the test ended, so that a Native
// and a 2G test, or a failed and a measured one, do not look alike. Views sort it through a QSortFilterProxyModel
// on SortRole, which holds each column's raw value (a time, a number of milliseconds) rather than the text shown.
class HistoryModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        DateColumn,
        UrlColumn,
        ProfileColumn,
        DeviceColumn,
        RunsColumn,
        RegionsColumn,
        OutcomeColumn,
        FastestColumn,
        SlowestColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        TestIdRole,
    };

    // The store is not owned and must outlive the model.
    explicit HistoryModel(HistoryStore *store, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(HistoryModel)

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Reads the list again from the store.
    void refresh();
    std::optional<qint64> testId(int row) const;
    // "Complete", "Failed", "Cancelled", "1 of 3 failed", "Did not finish": how a test ended, in words.
    static QString outcome(const TestSummary &test);
    // "Moto G4, CPU 4×": the device and a CPU slowdown other than none.
    static QString device(const LoadOptions &options);
    const TestSummary *summary(int row) const;

private:
    HistoryStore *m_store;
    QList<TestSummary> m_tests;
};
