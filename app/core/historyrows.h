#pragma once

#include "testrecord.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <QVariantList>

#include <optional>

// How a test is kept in the history's rows (HistorySchema's tables) and read back: the statements that read one
// test, each with what makes its rows part of a TestRecord, and the conversions both ways (JSON columns, nullable
// numbers, times as milliseconds since the epoch, URLs without their user info). HistoryStore runs the statements
// in its transactions.
class HistoryRows final
{
public:
    // A statement reading rows of one test (its id the only parameter), and what makes each row part of the
    // record. `read` returns false with *error saying what is wrong with the row.
    struct Reader
    {
        QString sql;
        bool (*read)(const QSqlQuery &row, TestRecord &record, QString *error);
        bool required; // without a row there is no such test
    };
    // In the order they must run: the test, its regions, runs, views, requests, then later steps and theirs.
    static const QList<Reader> &testReaders();

    // Qt Sql binds an empty optional as NULL of the column's type.
    template<typename T> static QVariant nullable(const std::optional<T> &value)
    {
        return value ? QVariant::fromValue(*value) : QVariant(QMetaType::fromType<T>());
    }
    static std::optional<double> optionalDouble(const QVariant &value);
    static QDateTime utcFromMs(const QVariant &value); // invalid for NULL
    static QString compactJson(const QJsonObject &json);
    static std::optional<QJsonObject> parseObject(const QString &text);

    // A view's estimated start (HistoryStore): the navigation started no later than a frame's arrival (now) minus
    // how far into the page load the frame reports; nullopt for no such offset. latestMetric is a final frame's.
    static std::optional<qint64> startBound(std::optional<double> offsetMs);
    static std::optional<double> latestMetric(const PageMetrics &metrics);
    // A URL as the history keeps it: without a user name or password, which a URL like https://user:secret@host/
    // carries in clear and which the history would otherwise hand on to every export and report.
    static QString storedUrl(const QString &url);
    // A request's JSON column, its URLs stored as storedUrl() keeps them.
    static QString requestJson(const RequestTiming &request);
    // A run's error column: NULL for none.
    static QVariant errorJson(const std::optional<LoadError> &error);
    // A view's long_tasks column and a view's or run's warnings column: NULL for none.
    static QVariant longTasksJson(const QList<LongTask> &tasks);
    static QVariant warningsJson(const QStringList &warnings);
    // A warnings column read back (empty for NULL), within Warnings' limits; *error says why not.
    static std::optional<QStringList> warnings(const QVariant &column, QString *error);
    // A test's options column read back; nullopt when it is not valid (the history lists the test regardless).
    static std::optional<LoadOptions> loadOptions(const QString &json);
    // A view's metrics column read back; *error says why not.
    static std::optional<PageMetrics> metrics(const QString &json, QString *error);
    // What a view's final frame stores, in the order of the columns final_url, metrics, ttfb_ms, fcp_ms, lcp_ms,
    // load_ms, screenshot, filmstrip, long_tasks, warnings (of `views`, and of `steps`); metrics NULL unless
    // `measured`.
    static QVariantList viewColumns(const ViewResult &view, bool measured);
    // A step's number as the `steps` table keeps it (WebPageTest's, from 1) from RegionRun's index (from 0).
    static int stepNumber(qsizetype index) { return static_cast<int>(index) + 1; }

private:
    static bool readTest(const QSqlQuery &row, TestRecord &record, QString *error);
    static bool readRegion(const QSqlQuery &row, TestRecord &record, QString *error);
    static bool readRun(const QSqlQuery &row, TestRecord &record, QString *error);
    static bool readView(const QSqlQuery &row, TestRecord &record, QString *error);
    static bool readRequest(const QSqlQuery &row, TestRecord &record, QString *error);
    static bool readStep(const QSqlQuery &row, TestRecord &record, QString *error);
    static bool readStepRequest(const QSqlQuery &row, TestRecord &record, QString *error);
    // Columns final_url, metrics, screenshot, filmstrip, long_tasks, warnings of a view or a step, from `first`
    // on in that order; *measured says whether metrics were there.
    static bool readViewColumns(const QSqlQuery &row, int first, ViewResult &view, bool *measured, QString *error);
    static bool appendRequest(const QVariant &json, ViewResult *view, QString *error);
    static RegionRun *runOf(TestRecord &record, const QString &region, int index);
};
