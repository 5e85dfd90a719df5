#pragma once

#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "protocol/message.h"
#include "waterfalllane.h"

#include <QAbstractItemModel>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

struct TestRecord;

// The live waterfall's data, as a two-level tree with one column:
//   - top-level rows are lanes, one per region, in the order each region was first added;
//   - a lane's children are the requests of the one page load it shows (a run index and a view, chosen with
//     setView(); run 0's first view until then) that pass the resource-type filter, ordered by start time like
//     DevTools' waterfall (ties keep arrival order). The run may be RepresentativeRun: then each lane shows its
//     own region's median run, as WebPageTest does (RegionSummary::representativeRun, which setTest() reads and
//     setRepresentativeRun() updates while a test runs), so lanes may show different run indices (shownRun()).
//
// Requests stream in as probes report them: one `request` message per request once it has ended, so in end
// order, 8 regions × hundreds of requests within seconds. addRequest() stores at once but inserts rows once per
// event-loop turn (flushPending()), sorted and in as few beginInsertRows() ranges as the order allows, so a view
// sees one batch per turn instead of one signal per request. A request that ended late but started early is
// inserted where it started, in the middle of its lane.
//
// Pending rows: a probe that sends `started` frames announces requests at their start; addStarted() shows each as a
// pending row where it started (its bar grows to liveNowMs(), the lane's clock), and the request's addRequest(), with
// the same id, replaces it in place, so rows keep their order and nothing jumps. A run that ends without some of its
// ends (endLive(): failed, cancelled, its probe gone) leaves those rows stopped where they were and marked
// abandoned. Pending rows are live state only: setTest() and the history never have any.
//
// Cap: each page load (region, run, view) keeps its first maxRequestsPerLoad requests; later ones are counted
// (droppedCount()) but not stored. The oldest are kept, unlike a log, because the start of a waterfall (the
// document, render-blocking CSS and JS, the first connections) explains the page, and rows already shown never
// disappear under the user's pointer. A lane shows exactly one page load, so no lane has more rows than the cap.
//
// Steps: a test whose script measures several has, under each region's lane (step 1, where its page always was), a
// lane for each later step of the region's runs, set by setTest() (WaterfallLane::of); its requests are timed from
// that step's own navigation. While a test runs, updateSteps() makes them again from the live record whenever the
// region's record changes (a step's requests are not streamed in one by one).
//
// A stored test comes in whole with setTest() (one reset); a live one as a setTest() of its empty record, then
// addRequest() and setPageMetrics() as RunRecorder reports them, so both take the same path to the lanes.
//
// Setting the test, the view, the filter or clearing resets the model; page metrics arrive as dataChanged() on
// the lane.
//
// What each lane holds (its loads, the cap, pending entries, its rows' order) is a WaterfallLane; this class decides
// when rows change and tells its views.
class WaterfallModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WaterfallModel)

public:
    enum Role {
        RequestTimingRole = Qt::UserRole + 1, // request rows: the RequestTiming
        LaneRole, // lanes and requests: int, the lane's row
        RegionRole, // lanes and requests: QString, the region code
        CategoryRole, // request rows: QString, the filter category (typeCategory())
        StartMsRole, // request rows: double
        EndMsRole, // request rows: double; invalid while unfinished
        PageMetricsRole, // lanes: PageMetrics of the shown page load; invalid until it is known
        DroppedCountRole, // lanes: qsizetype, requests of the shown page load beyond the cap
        ScreenshotRole, // lanes: QByteArray, the shown page load's screenshot (PNG); empty without one
        ShownRunRole, // lanes: int, the run index (from 0) the lane shows
        PendingRole, // request rows: bool, started and not ended yet (live only)
        BlockedRole, // request rows: bool, the test's settings blocked it (drawn greyed out, marked "blocked")
    };

    static constexpr qsizetype maxRequestsPerLoad = WaterfallLane::maxRequestsPerLoad;
    // setView()'s run index for "each region's median run".
    static constexpr int RepresentativeRun = WaterfallLane::RepresentativeRun;

    explicit WaterfallModel(QObject *parent = nullptr);
    ~WaterfallModel() override;

    // One lane per region of the test, in its order, with every request and page metrics it recorded (runs from
    // 0 here: RegionRun::index − 1). The shown run and view and the filter stay as they are.
    void setTest(const TestRecord &test);
    // Adds a lane for the region unless it has one; returns the lane's row.
    int addLane(const QString &region);
    // The lanes of the region's later steps again, as `test` (a live record) now has them, right under the region's
    // lane, whose title then says step 1; nothing changes for a region whose runs have one step.
    void updateSteps(const TestRecord &test, const QString &region);
    void addRequest(const QString &region, int runIndex, RunView view, const RequestTiming &request);
    // Requests that have started and not ended (a `started` frame): pending rows until their addRequest().
    void addStarted(const QString &region, int runIndex, RunView view, const QList<RequestTiming> &requests);
    // The run ended: its rows still pending stop growing (at the lane's clock now) and are marked abandoned.
    void endLive(const QString &region, int runIndex);
    // Every run ended (the test did).
    void endAllLive();
    // The clock pending rows grow by, in ms (monotonic; tests and benchmarks set their own).
    void setClock(std::function<double()> nowMs);
    void setPageMetrics(const QString &region, int runIndex, RunView view, const PageMetrics &metrics);
    // The view's screenshot as the probe sent it (PNG); empty: none was taken.
    void setScreenshot(const QString &region, int runIndex, RunView view, const QByteArray &png);
    // The view's main-thread long tasks (ViewResult::longTasks), for the lane's main-thread row.
    void setLongTasks(const QString &region, int runIndex, RunView view, const QList<LongTask> &tasks);
    // The region's median run (from 0), which a lane shows while the run index is RepresentativeRun; nullopt: it
    // has none yet (then the lane shows run 0).
    void setRepresentativeRun(const QString &region, std::optional<int> runIndex);
    // Inserts now the rows addRequest() queued for the end of this event-loop turn.
    void flushPending();
    // Forgets every lane and request; the shown run and view and the filter stay as they are.
    void clear();

    // `runIndex` from 0, or RepresentativeRun.
    void setView(int runIndex, RunView view);
    int runIndex() const { return m_shown.first; }
    RunView view() const { return m_shown.second; }
    // The run index (from 0) the lane shows: runIndex(), or its region's median run. -1 out of range.
    int shownRun(int lane) const;
    // The runs (from 0) and views the lane has anything of, in order.
    QList<std::pair<int, RunView>> loadsOf(int lane) const;

    // Shows only requests whose category (typeCategory()) or CDP resource type is in the set; empty: all.
    void setTypeFilter(const QSet<QString> &types);
    QSet<QString> typeFilter() const { return m_filter; }
    // WaterfallLane's, where the rows are labelled and classified.
    static QString typeCategory(const QString &resourceType) { return WaterfallLane::typeCategory(resourceType); }
    static QStringList typeCategories() { return WaterfallLane::typeCategories(); }
    static QString shortLabel(const QString &url) { return WaterfallLane::shortLabel(url); }

    // Direct access for painting, without a QVariant per row.
    int laneCount() const { return static_cast<int>(m_lanes.size()); }
    QString region(int lane) const;
    // What the lane's header calls it: its region, and for a script of several steps which step ("fra · Step 2:
    // account"); step() is the step's index (RegionRun::stepView), 0 for a region's own lane.
    QString laneTitle(int lane) const;
    qsizetype step(int lane) const;
    int laneOf(const QString &region) const; // -1 if there is none
    int laneOf(const QString &region, qsizetype step) const; // the lane of the region's step; -1 if there is none
    int requestCount(int lane) const; // rows of the lane
    const RequestTiming *request(int lane, int row) const; // nullptr out of range
    QString label(int lane, int row) const;
    QString durationText(int lane, int row) const; // empty while the request has not ended
    std::optional<PageMetrics> pageMetrics(int lane) const; // of the shown page load
    qsizetype droppedCount(int lane) const; // of the shown page load
    QByteArray screenshot(int lane) const; // of the shown page load; empty when there is none
    QList<LongTask> longTasks(int lane) const; // of the shown page load; empty: none, or not known
    QModelIndex laneIndex(int lane) const;
    // The latest end of a shown request (its known part if unfinished) or FCP/LCP/DCL/load marker, over all lanes:
    // the extent of the time axis they share. 0 when there is nothing.
    double maxEndMs() const { return m_maxEndMs; }
    // maxEndMs(), or further while a shown row is pending: the time axis then reaches the lanes' "now".
    double liveEndMs() const;
    // A shown row is pending: the view repaints while it is, for the bars grow.
    bool hasPendingRows() const;
    bool isPending(int lane, int row) const;
    // Where an abandoned row's bar stopped (ms from navigation start); nullopt for any other row.
    std::optional<double> abandonedAtMs(int lane, int row) const;
    // The lane's shown page load's "now" in ms from its navigation start, as far as the app can tell: the clock's
    // time since the earliest moment its frames put the navigation start at. nullopt before any frame of it came.
    std::optional<double> liveNowMs(int lane) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    using Lane = WaterfallLane;
    using LoadKey = WaterfallLane::LoadKey;
    using Load = WaterfallLane::Load;
    using Entry = WaterfallLane::Entry;

    Lane &laneAt(int lane) { return m_lanes[static_cast<size_t>(lane)]; }
    const Lane &laneAt(int lane) const { return m_lanes[static_cast<size_t>(lane)]; }
    bool shows(const Lane &lane, const LoadKey &key) const { return key == lane.shownKey(m_shown); }
    Load &loadFor(int lane, const LoadKey &key);
    void replacePending(int lane, Load &load, qsizetype entryIndex, const RequestTiming &request, bool shown);
    // Queues the load's last entry for insertion when the lane shows it and the filter lets it through.
    void queueLast(int lane, const Load &load, bool shown);
    // Ends the pending rows of the lane's loads of runIndex (of every run: nullopt).
    void endLiveIn(int lane, std::optional<int> runIndex);
    bool passes(const Entry &entry) const;
    void rebuild(); // inside begin/endResetModel
    // Makes the lane's rows those of the shown load under the filter, and takes them into maxEndMs().
    void showLane(Lane &lane);
    void includeInMaxEnd(const Entry &entry);
    void includeInMaxEnd(const PageMetrics &metrics);
    const Entry *entry(int lane, int row) const;

    std::vector<Lane> m_lanes;
    LoadKey m_shown { 0, RunView::First };
    QSet<QString> m_filter;
    double m_maxEndMs = 0;
    QTimer m_flushTimer;
    std::function<double()> m_clock;
};
