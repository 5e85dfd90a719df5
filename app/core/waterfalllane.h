#pragma once

#include "model/longtask.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "model/runview.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <optional>
#include <utility>

struct TestRecord;

// One lane of WaterfallModel: a region's page loads (one per run and view), the one it shows, and that one's rows
// in start order with the queue of those not inserted yet. It is apart from the model because this bookkeeping (the
// cap, pending entries and the clock they grow by, the rows' order under the filter) holds whatever Qt's item-model
// protocol says: WaterfallModel decides when rows change and tells its views, the lane keeps what they are.
class WaterfallLane final
{
public:
    using LoadKey = std::pair<int, RunView>; // run index from 0, view
    static constexpr qsizetype maxRequestsPerLoad = 5000;
    // A LoadKey run index meaning "the lane's median run".
    static constexpr int RepresentativeRun = -1;

    struct Entry
    {
        RequestTiming timing;
        QString path; // shortLabel()
        QString host;
        QString category;
        QString duration; // DisplayFormat's, once: a label painted on every frame
        bool pending = false; // started, not ended: its bar grows to the lane's now
        std::optional<double> abandonedAtMs; // was pending when its run ended: its bar stopped here
    };

    struct Load
    {
        QList<Entry> entries; // arrival order, at most maxRequestsPerLoad
        QString documentHost; // of the first Document request
        std::optional<PageMetrics> metrics;
        QByteArray screenshotPng;
        QList<LongTask> longTasks;
        qsizetype dropped = 0;
        QHash<QString, qsizetype> pendingIds; // id → index into entries, of the pending ones
        std::optional<double> originMs; // the clock's time at its navigation start, as the frames so far put it

        // Stores the request unless the load is full (then counts it as dropped); false when dropped.
        bool store(const RequestTiming &request);
        // Stores a started request as a pending entry; false when it is not (full, or pending already).
        bool storeStarted(const RequestTiming &request);
        // The final request replaces entries[entryIndex], a pending one.
        void replace(qsizetype entryIndex, const RequestTiming &request);
        // A frame of the load came at `clockMs` saying the load had reached `ms`: the origin moves back if needed.
        void noteClock(double clockMs, double ms);
        // The pending entries stop where the clock puts the load now, marked abandoned; returns their indices.
        QList<qsizetype> abandonPending(const std::function<double()> &clock);
    };

    // CDP resource type → Document, Stylesheet, Script, Image, Font, XHR/Fetch or Other: an entry's category.
    static QString typeCategory(const QString &resourceType);
    static QStringList typeCategories();
    // The URL's path and query, the host for "/": an entry's path. A row's label is this, prefixed with the host
    // when the request went to another host than its page's document (a CDN, a third party).
    static QString shortLabel(const QString &url);

    explicit WaterfallLane(QString region);
    // The region's lane of a stored test: every view of its runs, its median run as the representative one. For a
    // script's later step (`step` from 1, as RegionRun::stepView counts), the lane of that step: each run's view of
    // it, as the run's first view, its requests timed from that step's navigation.
    static WaterfallLane of(const TestRecord &test, const QString &region, qsizetype step = 0);

    const QString &region() const { return m_region; }
    // Which step of a script the lane shows (0: step 1, or the page of a test without a script), how many steps
    // the region's runs have (1 without such a script), and what the step is called (RegionRun::stepLabel).
    qsizetype step() const { return m_step; }
    qsizetype stepCount() const { return m_stepCount; }
    const QString &stepLabel() const { return m_stepLabel; }
    // A region's own lane learns that its runs have several steps, and what step 1 is called.
    void setSteps(qsizetype count, const QString &label)
    {
        m_stepCount = count;
        m_stepLabel = label;
    }
    int representativeRun() const { return m_representativeRun; }
    void setRepresentativeRun(int run) { m_representativeRun = run; }
    std::map<LoadKey, Load> &loads() { return m_loads; }
    const std::map<LoadKey, Load> &loads() const { return m_loads; }
    // The load shown for the model's `setting`: the setting, with the lane's median run for RepresentativeRun.
    LoadKey shownKey(const LoadKey &setting) const;
    // The load of `key`, new if need be; the lane shows it when it `isShown` (its key is shownKey()).
    Load &load(const LoadKey &key, bool isShown);
    // The shown load; nullptr while the lane has nothing of it.
    const Load *shown() const { return m_shown; }

    // Shows the load of `setting`: the entries `passes` lets through become the rows, by start time; none queued.
    void show(const LoadKey &setting, const std::function<bool(const Entry &)> &passes);
    // Indices into the shown load's entries, by start time (ties keep arrival order).
    const QList<qsizetype> &rows() const { return m_rows; }
    // The shown entry at `row`; nullptr out of range.
    const Entry *entry(int row) const;
    // The row showing entries[entryIndex] of the shown load, or -1 (not shown, filtered out, not inserted yet).
    int rowOfEntry(qsizetype entryIndex) const;
    // The entry's path, prefixed with its host when that is not its page's document's.
    QString labelOf(const Entry &entry) const;

    // Queues entries[entryIndex] of the shown load to become a row.
    void queue(qsizetype entryIndex) { m_queued.append(entryIndex); }
    bool hasQueued() const { return !m_queued.isEmpty(); }
    // Takes the queue, by start time (ties keep their order).
    QList<qsizetype> takeQueued();
    // Where entries[entryIndex] goes among the rows: after every row that starts no later.
    qsizetype insertionPosition(qsizetype entryIndex) const;
    // Makes the entries rows from `position` on, in their order.
    void insertRows(qsizetype position, const QList<qsizetype> &entryIndices);

private:
    QString m_region;
    qsizetype m_step = 0;
    qsizetype m_stepCount = 1;
    QString m_stepLabel;
    std::map<LoadKey, Load> m_loads;
    int m_representativeRun = 0;
    Load *m_shown = nullptr; // m_loads[shownKey()], if it exists; std::map never moves its nodes
    QList<qsizetype> m_rows;
    QList<qsizetype> m_queued;
};
