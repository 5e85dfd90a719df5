#include "pagemetrics.h"

#include "jsonreader.h"
#include "longtask.h"
#include "pagemetric.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace {

constexpr double maxMs = 24.0 * 3600 * 1000;

template<typename T> std::optional<T> medianOf(std::vector<T> values)
{
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    if (values.size() % 2 == 1)
        return values[mid];
    return static_cast<T>((values[mid - 1] + values[mid]) / 2);
}

} // namespace

QJsonObject PageMetrics::toJson() const
{
    QJsonObject json;
    if (documentStatus)
        json.insert(QStringLiteral("documentStatus"), *documentStatus);
    for (const PageMetric &metric : PageMetric::all()) {
        if (const auto member = metric.optionalMember(); member && this->*member)
            json.insert(metric.jsonKey, *(this->*member));
    }
    json.insert(QStringLiteral("requestCount"), requestCount);
    json.insert(QStringLiteral("totalEncodedBytes"), static_cast<double>(totalEncodedBytes));
    json.insert(QStringLiteral("totalDecodedBytes"), static_cast<double>(totalDecodedBytes));
    return json;
}

std::optional<PageMetrics> PageMetrics::fromJson(const QJsonObject &json, QString *error)
{
    using P = JsonReader::Presence;
    JsonReader r(json);
    PageMetrics m;
    if (auto status = r.integer(QStringLiteral("documentStatus"), P::Optional, 0, 999))
        m.documentStatus = static_cast<int>(*status);
    for (const PageMetric &metric : PageMetric::all()) {
        if (const auto member = metric.optionalMember())
            m.*member = r.number(metric.jsonKey, P::Optional, 0, maxMs);
    }
    m.requestCount = static_cast<int>(r.integer(QStringLiteral("requestCount"), P::Optional, 0, 1'000'000).value_or(0));
    m.totalEncodedBytes = r.integer(QStringLiteral("totalEncodedBytes"), P::Optional, 0).value_or(0);
    m.totalDecodedBytes = r.integer(QStringLiteral("totalDecodedBytes"), P::Optional, 0).value_or(0);
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return m;
}

PageMetrics PageMetrics::median(const QList<PageMetrics> &runs)
{
    PageMetrics result;
    for (const PageMetric &metric : PageMetric::all()) {
        const auto member = metric.optionalMember();
        if (!member)
            continue;
        std::vector<double> observed;
        for (const PageMetrics &run : runs) {
            if (const auto &value = run.*member)
                observed.push_back(*value);
            else if (member == &PageMetrics::longestTaskMs && run.longTaskCount == 0.0)
                observed.push_back(0); // watched, and no task was long: as its count and TBT say, see below
        }
        result.*member = medianOf(std::move(observed));
    }
    // A view that watched its main thread and saw no long task has a count of 0 and no longest task. Left out of the
    // longest task's median, such runs would make three runs of 0, 0 and one 51-ms task read "0 long tasks, longest
    // 51 ms"; counted as 0, the median run has no long task, and a median under a long task's 50 ms is none.
    if (result.longestTaskMs && *result.longestTaskMs < LongTask::thresholdMs)
        result.longestTaskMs.reset();
    std::vector<int> statuses;
    std::vector<int> counts;
    std::vector<qint64> encoded;
    std::vector<qint64> decoded;
    for (const PageMetrics &run : runs) {
        if (run.documentStatus)
            statuses.push_back(*run.documentStatus);
        counts.push_back(run.requestCount);
        encoded.push_back(run.totalEncodedBytes);
        decoded.push_back(run.totalDecodedBytes);
    }
    // A status is a category, not a quantity: the median of the sorted list is still one the server sent only
    // when the list is odd, so take the lower middle instead of averaging two.
    if (!statuses.empty()) {
        std::sort(statuses.begin(), statuses.end());
        result.documentStatus = statuses[(statuses.size() - 1) / 2];
    }
    result.requestCount = medianOf(std::move(counts)).value_or(0);
    result.totalEncodedBytes = medianOf(std::move(encoded)).value_or(0);
    result.totalDecodedBytes = medianOf(std::move(decoded)).value_or(0);
    return result;
}
