#pragma once

#include "historystore.h"
#include "model/pagemetric.h"
#include "regioncatalog.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QWidget>

#include <array>

class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class DurationAxis;

// How a URL's times developed over the tests in the history, in one region and one set of settings: a line per
// metric of metrics() (the medians of each test) over the tests' start times, from HistoryStore::trend(), in the
// bar chart's colours. One combo box picks the region, another the settings (connection profile and device, as
// the tests ran): a 2G test and a Native one are not points of one line. The settings of the newest test are shown
// first. A test that did not observe a metric breaks that metric's line instead of dipping to 0.
class TrendChartView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrendChartView)

public:
    // The lines, in the legend's order: the slowest first, as they stack on the chart.
    static constexpr std::array<PageMetric::Id, 4> metrics()
    {
        return { PageMetric::Id::Load, PageMetric::Id::Lcp, PageMetric::Id::Fcp, PageMetric::Id::Ttfb };
    }

    explicit TrendChartView(QWidget *parent = nullptr);
    ~TrendChartView() override;

    // Not owned; must outlive the view or be replaced first. Null shows nothing.
    void setHistory(HistoryStore *history);
    void setUrl(const QString &url);
    QString url() const { return m_url; }
    // The regions the chooser offers, in this order.
    void setRegions(const QList<RegionCatalog::Region> &regions);
    void setRegion(const QString &code);
    QString region() const;
    // Reads the trend from the history again (after a test finished).
    void refresh();
    // Shows these points instead of the history's (oldest first), until the next refresh().
    void setTrend(const QList<TrendPoint> &points);

    // What is shown (the chosen settings' points), for tests and the tooltip.
    QList<TrendPoint> points() const { return m_points; }
    QComboBox *regionChooser() const { return m_chooser; }
    QComboBox *settingsChooser() const { return m_settingsChooser; }
    // "2G · moto-g-power": the settings that make a point comparable with another, in words.
    static QString settingsOf(const TrendPoint &point);
    QChart *chart() const;
    // The line segments of one metric (split where a test lacks it); none for a metric not drawn.
    QList<QLineSeries *> series(PageMetric::Id metric) const { return m_series.value(metric); }
    QString message() const; // why the chart is empty, or ""
    // The value axis' labels, from 0 up.
    QStringList axisLabels() const;

signals:
    void regionChanged(const QString &code);

protected:
    void changeEvent(QEvent *event) override;

private:
    // The trend's points arrived: offers their settings, keeps the chosen ones if still there, and shows them.
    void takePoints(const QList<TrendPoint> &points);
    void showChosenSettings();
    void rebuild();
    void applyPalette();
    void addLine(PageMetric::Id metric, bool dark, double *maxMs);
    void showToolTip(PageMetric::Id metric, const QPointF &point, bool hovering);

    HistoryStore *m_history = nullptr;
    QString m_url;
    QList<TrendPoint> m_allPoints; // every setting's
    QList<TrendPoint> m_points; // the chosen settings'
    QComboBox *m_chooser;
    QComboBox *m_settingsChooser;
    QLabel *m_message;
    QChartView *m_view;
    QDateTimeAxis *m_timeAxis = nullptr;
    DurationAxis *m_valueAxis = nullptr;
    QMap<PageMetric::Id, QList<QLineSeries *>> m_series;
    bool m_applyingPalette = false;
};
