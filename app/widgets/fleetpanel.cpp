#include "fleetpanel.h"

#include "fleet/fleet.h"
#include "model/displayformat.h"
#include "theme.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace {

// A runner's or region's state in the theme's tones: booting is a warning's amber, idle and ready the ok green.
using Tone = Theme::Tone;

QIcon dot(const QColor &color)
{
    QPixmap pixmap(24, 24);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(5, 5, 14, 14));
    return QIcon(pixmap);
}

Tone toneOf(const RunnerInfo &runner)
{
    switch (runner.state) {
    case RunnerInfo::Booting:
        return Tone::Warning;
    case RunnerInfo::Ready:
        return runner.active > 0 ? Tone::Busy : Tone::Ok;
    case RunnerInfo::Stopping:
        return Tone::Quiet;
    case RunnerInfo::Failed:
        return Tone::Error;
    }
    return Tone::Quiet;
}

} // namespace

FleetPanel::FleetPanel(QWidget *parent)
    : QWidget(parent)
    , m_catalog(RegionCatalog::builtIn())
    , m_tree(new QTreeWidget(this))
    , m_details(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_details);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setContentsMargins(4, 2, 4, 2);
    m_details->setTextFormat(Qt::PlainText);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &FleetPanel::updateDetails);
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({ tr("Region / runner"), tr("State"), tr("Start"), tr("Details") });
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setWordWrap(false);
    m_tree->setTextElideMode(Qt::ElideRight);
    m_tree->header()->setStretchLastSection(true);
    // The short columns fit what they hold; the details take the rest (in full below the tree).
    for (const int column : { NameColumn, StateColumn, StartColumn })
        m_tree->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &FleetPanel::tick);
    updateEmptyState();
    updateDetails();
}

FleetPanel::~FleetPanel()
{
    for (const auto &region : m_regions) {
        for (const QMetaObject::Connection &connection : std::as_const(region->connections))
            disconnect(connection);
    }
    disconnect(m_fleetDestroyed);
}

void FleetPanel::setFleet(Fleet *fleet)
{
    disconnect(m_fleetDestroyed);
    while (!m_regions.empty())
        removeRegion(m_regions.front()->code);
    m_fleet = fleet;
    if (fleet) {
        m_fleetDestroyed = connect(fleet, &QObject::destroyed, this, [this] {
            while (!m_regions.empty())
                removeRegion(m_regions.front()->code);
            updateEmptyState();
        });
    }
    refresh();
}

void FleetPanel::setCatalog(const RegionCatalog &catalog)
{
    m_catalog = catalog;
    for (const auto &region : m_regions)
        updateRegionItem(*region);
}

void FleetPanel::refresh()
{
    const QStringList codes = m_fleet ? m_fleet->regions() : QStringList();
    QStringList gone;
    for (const auto &region : m_regions) {
        if (!codes.contains(region->code) || !region->pool || (m_fleet && m_fleet->pool(region->code) != region->pool))
            gone.append(region->code);
    }
    for (const QString &code : std::as_const(gone))
        removeRegion(code);
    for (const QString &code : codes) {
        if (!region(code)) {
            if (RegionPool *pool = m_fleet->pool(code))
                addRegion(pool);
        }
    }
    updateEmptyState();
}

QString FleetPanel::regionName(const QString &code) const
{
    const std::optional<RegionCatalog::Region> known = m_catalog.find(code);
    if (!known || known->city.isEmpty())
        return code;
    return QStringLiteral("%1 (%2)").arg(known->city, code);
}

FleetPanel::Region *FleetPanel::region(const QString &code) const
{
    for (const auto &region : m_regions) {
        if (region->code == code)
            return region.get();
    }
    return nullptr;
}

FleetPanel::Region *FleetPanel::regionOf(const RegionPool *pool) const
{
    for (const auto &region : m_regions) {
        if (region->pool == pool)
            return region.get();
    }
    return nullptr;
}

QTreeWidgetItem *FleetPanel::regionItem(const QString &code) const
{
    const Region *r = region(code);
    return r ? r->item : nullptr;
}

QTreeWidgetItem *FleetPanel::runnerItem(const QString &code, const QString &runnerId) const
{
    const Region *r = region(code);
    if (!r)
        return nullptr;
    const auto it = r->runners.constFind(runnerId);
    return it == r->runners.cend() ? nullptr : it->item;
}

void FleetPanel::addRegion(RegionPool *pool)
{
    auto entry = std::make_unique<Region>();
    Region &r = *entry;
    r.code = pool->region();
    r.pool = pool;
    r.item = new QTreeWidgetItem(m_tree);
    r.item->setFirstColumnSpanned(false);
    QFont bold = r.item->font(NameColumn);
    bold.setBold(true);
    r.item->setFont(NameColumn, bold);
    r.item->setExpanded(true);
    m_regions.push_back(std::move(entry));

    // The pool's signals carry no pool; each connection knows its own.
    r.connections = {
        connect(pool, &RegionPool::runnerChanged, this,
            [this, pool](const RunnerInfo &runner) { onRunnerChanged(pool, runner); }),
        connect(pool, &RegionPool::runnerRemoved, this,
            [this, pool](const QString &runnerId) { onRunnerRemoved(pool, runnerId); }),
        connect(pool, &RegionPool::queueLengthChanged, this,
            [this, pool] {
                if (Region *r = regionOf(pool))
                    updateRegionItem(*r);
            }),
        connect(
            pool, &RegionPool::bootFailed, this, [this, pool](const QString &reason) { onBootFailed(pool, reason); }),
        connect(pool, &QObject::destroyed, this,
            [this, code = r.code] {
                removeRegion(code);
                updateEmptyState();
            }),
    };
    // The runners it booted before anyone listened (`min`).
    for (const RunnerInfo &runner : pool->runners())
        onRunnerChanged(pool, runner);
    if (!pool->configError().isEmpty())
        addProblem(r, tr("not usable"), pool->configError());
    updateRegionItem(r);
    m_tree->expandItem(r.item);
}

void FleetPanel::removeRegion(const QString &code)
{
    const auto it = std::find_if(m_regions.begin(), m_regions.end(), [&](const auto &r) { return r->code == code; });
    if (it == m_regions.end())
        return;
    for (const QMetaObject::Connection &connection : std::as_const((*it)->connections))
        disconnect(connection);
    delete (*it)->item; // and its children
    m_regions.erase(it);
}

void FleetPanel::onRunnerChanged(RegionPool *pool, const RunnerInfo &runner)
{
    Region *r = regionOf(pool);
    if (!r)
        return;
    auto it = r->runners.find(runner.id);
    if (it == r->runners.end()) {
        it = r->runners.insert(runner.id, RunnerRow {});
        r->runnerOrder.append(runner.id);
        it->item = new QTreeWidgetItem;
        // Runners above the problems, in boot order.
        const int at = r->problemsItem ? r->item->indexOfChild(r->problemsItem) : r->item->childCount();
        r->item->insertChild(at, it->item);
        it->seen.start();
    }
    const RunnerInfo::State previous = it->info.state;
    const bool wasKnown = !it->info.id.isEmpty();
    it->info = runner;
    if (runner.bootMs)
        r->lastBootMs = runner.bootMs;
    if (runner.state == RunnerInfo::Failed) {
        if (wasKnown && previous == RunnerInfo::Booting)
            r->lastFailedBoot = runner.id; // bootFailed() follows with the reason
        else if (!wasKnown || previous != RunnerInfo::Failed)
            addProblem(*r, tr("runner lost"),
                runner.lastError.isEmpty() ? tr("%1 went away").arg(runner.id)
                                           : tr("%1 went away: %2").arg(runner.id, runner.lastError));
    }
    updateRunnerItem(*it);
    updateRegionItem(*r);
    if (runner.state == RunnerInfo::Booting && !m_tick.isActive())
        m_tick.start();
}

void FleetPanel::onRunnerRemoved(RegionPool *pool, const QString &runnerId)
{
    Region *r = regionOf(pool);
    if (!r)
        return;
    const auto it = r->runners.find(runnerId);
    if (it == r->runners.end())
        return;
    it->removed = true;
    updateRunnerItem(*it);
    updateRegionItem(*r);
    if (m_removedLingerMs <= 0) {
        forgetRunner(r->code, runnerId);
        return;
    }
    QTimer::singleShot(m_removedLingerMs, this, [this, code = r->code, runnerId] { forgetRunner(code, runnerId); });
}

void FleetPanel::forgetRunner(const QString &code, const QString &runnerId)
{
    Region *r = region(code);
    if (!r)
        return;
    const auto it = r->runners.find(runnerId);
    if (it == r->runners.end() || !it->removed)
        return;
    delete it->item;
    r->runners.erase(it);
    r->runnerOrder.removeAll(runnerId);
    updateRegionItem(*r);
}

void FleetPanel::onBootFailed(RegionPool *pool, const QString &reason)
{
    Region *r = regionOf(pool);
    if (!r)
        return;
    const QString runner = std::exchange(r->lastFailedBoot, QString());
    addProblem(*r, tr("boot failed"), runner.isEmpty() ? reason : tr("%1 did not start: %2").arg(runner, reason));
    updateRegionItem(*r);
}

void FleetPanel::addProblem(Region &r, const QString &kind, const QString &text)
{
    r.problems.prepend(Problem { QDateTime::currentDateTime(), kind, text });
    while (r.problems.size() > maxProblemsPerRegion)
        r.problems.removeLast();
    updateProblemsItem(r);
    updateDetails();
}

void FleetPanel::updateDetails()
{
    // The row the user picked; the current item alone is only where the keyboard focus would start.
    QTreeWidgetItem *current = m_tree->selectedItems().value(0);
    QString text;
    if (current && !current->text(DetailColumn).isEmpty()) {
        QStringList parts;
        for (int column = 0; column < ColumnCount; ++column) {
            if (!current->text(column).isEmpty())
                parts.append(current->text(column));
        }
        text = parts.join(QStringLiteral(" · "));
    } else {
        // The newest problem anywhere: what the user most likely needs to act on.
        const Region *newest = nullptr;
        for (const auto &r : m_regions) {
            if (!r->problems.isEmpty() && (!newest || r->problems.constFirst().at > newest->problems.constFirst().at))
                newest = r.get();
        }
        if (newest) {
            const Problem &problem = newest->problems.constFirst();
            text = tr("Latest problem, %1 in %2: %3")
                       .arg(QLocale().toString(problem.at.time(), QStringLiteral("HH:mm:ss")), regionName(newest->code),
                           problem.text);
        }
    }
    m_details->setText(text);
    m_details->setVisible(!text.isEmpty());
}

void FleetPanel::updateProblemsItem(Region &r)
{
    if (r.problems.isEmpty()) {
        delete std::exchange(r.problemsItem, nullptr);
        return;
    }
    const Theme theme(palette());
    if (!r.problemsItem) {
        r.problemsItem = new QTreeWidgetItem(r.item);
        r.problemsItem->setExpanded(true);
    }
    r.problemsItem->setText(NameColumn, tr("Problems (%1)").arg(r.problems.size()));
    r.problemsItem->setIcon(NameColumn, dot(theme.mark(Tone::Error)));
    r.problemsItem->setText(DetailColumn, tr("newest first"));
    while (r.problemsItem->childCount() > r.problems.size())
        delete r.problemsItem->child(r.problemsItem->childCount() - 1);
    while (r.problemsItem->childCount() < r.problems.size())
        new QTreeWidgetItem(r.problemsItem);
    const QLocale locale;
    for (int i = 0; i < r.problems.size(); ++i) {
        const Problem &problem = r.problems.at(i);
        QTreeWidgetItem *item = r.problemsItem->child(i);
        const bool today = problem.at.date() == QDate::currentDate();
        item->setText(NameColumn,
            today ? locale.toString(problem.at.time(), QStringLiteral("HH:mm:ss"))
                  : locale.toString(problem.at, QLocale::ShortFormat));
        item->setText(StateColumn, problem.kind);
        item->setForeground(StateColumn, theme.error());
        item->setText(DetailColumn, problem.text);
        item->setToolTip(DetailColumn, problem.text);
        item->setToolTip(NameColumn, locale.toString(problem.at, QLocale::LongFormat));
    }
    m_tree->expandItem(r.problemsItem);
}

void FleetPanel::updateRunnerItem(RunnerRow &row)
{
    const Theme theme(palette());
    const RunnerInfo &info = row.info;
    QTreeWidgetItem *item = row.item;
    item->setText(NameColumn, info.id);
    QString state = PoolDescription::runnerState(info);
    if (row.removed && info.state == RunnerInfo::Stopping)
        state = tr("stopped");
    item->setText(StateColumn, state);
    item->setIcon(
        NameColumn, dot(theme.mark(row.removed && info.state != RunnerInfo::Failed ? Tone::Quiet : toneOf(info))));
    if (info.bootMs)
        item->setText(StartColumn, tr("booted in %1").arg(DisplayFormat::duration(double(*info.bootMs), QLocale())));
    else if (info.state == RunnerInfo::Booting && row.seen.elapsed() >= 1000)
        // Whole seconds: the clock ticks once a second.
        item->setText(StartColumn,
            tr("booting for %1").arg(DisplayFormat::duration(double(row.seen.elapsed() / 1000 * 1000), QLocale())));
    else if (info.state == RunnerInfo::Booting)
        item->setText(StartColumn, tr("booting…"));
    else
        item->setText(StartColumn, QString());
    item->setToolTip(StartColumn,
        tr("A run that waits for this boot is a cold start: its time includes the boot. Later runs on this runner "
           "start hot."));
    QString detail;
    if (info.state == RunnerInfo::Ready)
        detail = (info.capacity == 1 ? tr("1 run at once") : tr("%1 runs at once").arg(info.capacity));
    if (!info.lastError.isEmpty())
        detail = info.lastError;
    item->setText(DetailColumn, detail);
    item->setToolTip(DetailColumn, detail);
    const QColor quiet = palette().color(QPalette::Disabled, QPalette::Text);
    for (int column = 0; column < ColumnCount; ++column) {
        if (info.state == RunnerInfo::Failed && column != NameColumn)
            item->setForeground(column, theme.error());
        else if (row.removed)
            item->setForeground(column, quiet);
        else
            item->setData(column, Qt::ForegroundRole, QVariant());
    }
}

PoolDescription::RunnerCounts FleetPanel::runnerCounts(const Region &r)
{
    PoolDescription::RunnerCounts counts;
    for (const RunnerRow &row : r.runners) {
        if (row.removed)
            continue;
        if (row.info.state == RunnerInfo::Booting)
            ++counts.booting;
        else if (row.info.state == RunnerInfo::Ready)
            ++(row.info.active > 0 ? counts.busy : counts.idle);
    }
    counts.queued = r.pool ? r.pool->queueLength() : 0;
    return counts;
}

void FleetPanel::updateRegionItem(Region &r)
{
    if (!r.item)
        return;
    const Theme theme(palette());
    RegionPool *pool = r.pool;
    r.item->setText(NameColumn, regionName(r.code));

    const PoolDescription::RunnerCounts counts = runnerCounts(r);
    const bool unusable = pool && !pool->configError().isEmpty();
    r.item->setText(StateColumn, unusable ? tr("not usable") : PoolDescription::runners(counts));
    const bool recentProblem
        = !r.problems.isEmpty() && r.problems.constFirst().at.secsTo(QDateTime::currentDateTime()) < 60;
    const Tone tone = unusable ? Tone::Error
        : counts.busy          ? Tone::Busy
        : counts.booting       ? Tone::Warning
        : counts.idle          ? Tone::Ok
        : recentProblem        ? Tone::Error
                               : Tone::Quiet;
    r.item->setIcon(NameColumn, dot(theme.mark(tone)));

    // What the next run would get, as the pool itself decides it.
    QString nextTip;
    const QString next = pool && !unusable ? PoolDescription::nextRun(*pool, r.lastBootMs, &nextTip) : QString();
    r.item->setText(StartColumn, next);
    r.item->setToolTip(StartColumn, nextTip);

    const QString detail = !pool ? QString() : unusable ? pool->configError() : PoolDescription::setup(*pool);
    r.item->setText(DetailColumn, detail);
    r.item->setToolTip(DetailColumn, detail);
    r.item->setForeground(StateColumn, unusable ? QBrush(theme.error()) : QBrush());
}

void FleetPanel::updateEmptyState()
{
    const bool empty = m_regions.empty();
    if (empty && !m_emptyItem) {
        m_emptyItem = new QTreeWidgetItem(m_tree);
        m_emptyItem->setText(NameColumn, tr("No regions"));
        m_emptyItem->setText(DetailColumn,
            m_fleet ? tr("The fleet config has no regions.") : tr("No fleet is running: check Settings › Fleet."));
        m_emptyItem->setFlags(Qt::NoItemFlags);
    } else if (!empty && m_emptyItem) {
        delete std::exchange(m_emptyItem, nullptr);
    }
}

void FleetPanel::tick()
{
    bool anyBooting = false;
    for (const auto &r : m_regions) {
        for (RunnerRow &row : r->runners) {
            if (row.info.state == RunnerInfo::Booting && !row.removed) {
                anyBooting = true;
                updateRunnerItem(row);
            }
        }
    }
    if (!anyBooting)
        m_tick.stop();
}

void FleetPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        for (const auto &r : m_regions) {
            for (RunnerRow &row : r->runners)
                updateRunnerItem(row);
            updateRegionItem(*r);
            updateProblemsItem(*r);
        }
    }
}

QString FleetPanel::text() const
{
    QStringList lines;
    const std::function<void(QTreeWidgetItem *, int)> walk = [&](QTreeWidgetItem *item, int depth) {
        QStringList columns;
        for (int column = 0; column < ColumnCount; ++column)
            columns.append(item->text(column));
        while (!columns.isEmpty() && columns.constLast().isEmpty())
            columns.removeLast();
        lines.append(QString(depth * 2, u' ') + columns.join(QStringLiteral(" | ")));
        for (int i = 0; i < item->childCount(); ++i)
            walk(item->child(i), depth + 1);
    };
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        walk(m_tree->topLevelItem(i), 0);
    return lines.join(u'\n');
}
