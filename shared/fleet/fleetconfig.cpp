#include "fleetconfig.h"

#include "model/jsonreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTimeZone>
#include <QUrl>

#include <cmath>
#include <tuple>

namespace {

using Presence = JsonReader::Presence;

constexpr qsizetype maxFileBytes = 16 * 1024 * 1024;
constexpr qsizetype maxCodeLength = 64;
constexpr qsizetype maxNameLength = 200;
constexpr qsizetype maxSecretKeyLength = 256;
constexpr int maxStaticProbes = 1000;
constexpr int maxLocalConcurrency = 64;
constexpr double maxIdleSeconds = 7 * 24 * 3600;
constexpr double maxTimeoutSeconds = 24 * 3600;
constexpr std::pair<double, double> greenwich { 51.48, 0.0 };

const QStringList backendTypes = {
    QStringLiteral("local"),
    QStringLiteral("static"),
    QStringLiteral("fly"),
    QStringLiteral("kubernetes"),
};

QString indexed(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

QString joined(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

// A string that has to say something: present (when required), a string, and not empty.
QString text(JsonReader &reader, const QString &key, Presence presence, qsizetype maxLength = 4096)
{
    const bool present = reader.has(key);
    QString value = reader.string(key, presence, maxLength);
    if (present && reader.ok() && value.trimmed().isEmpty())
        reader.fail(key, QStringLiteral("must not be empty"));
    return value;
}

// Secrets live in the keychain; the config only names them. Walks the whole backend object, nested objects and
// arrays included, so a token tucked into a probe list or a pod template is caught too.
QString secretProblem(const QJsonValue &value, const QString &path)
{
    if (value.isArray()) {
        const QJsonArray items = value.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (QString problem = secretProblem(items.at(i), indexed(path, i)); !problem.isEmpty())
                return problem;
        }
        return {};
    }
    if (!value.isObject())
        return {};
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QString fieldPath = joined(path, key);
        for (const QString &kind : { QStringLiteral("token"), QStringLiteral("password") }) {
            if (key.endsWith(kind, Qt::CaseInsensitive) && it.value().isString()) {
                return fieldPath
                    + QStringLiteral(": secrets are not stored in the config; put the %1 in the keychain and reference "
                                     "it with \"%2Secret\"")
                          .arg(kind, key);
            }
        }
        // By convention a key ending in "Secret" names a keychain entry.
        if (key.endsWith(QStringLiteral("Secret"))) {
            const QString name = it.value().toString();
            if (!it.value().isString() || name.trimmed().isEmpty())
                return fieldPath + QStringLiteral(": expected the name of a keychain entry");
            if (name.size() > maxSecretKeyLength)
                return fieldPath + QStringLiteral(": longer than %1 characters").arg(maxSecretKeyLength);
        }
        if (QString problem = secretProblem(it.value(), fieldPath); !problem.isEmpty())
            return problem;
    }
    return {};
}

// An absolute URL with a host, in one of `schemes`.
void checkUrl(JsonReader &reader, const QString &key, const QStringList &schemes)
{
    const QString value = text(reader, key, Presence::Required);
    if (!reader.ok())
        return;
    const QUrl url(value, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        reader.fail(key, QStringLiteral("\"%1\" is not a URL with a host").arg(value));
        return;
    }
    if (!schemes.contains(url.scheme())) {
        reader.fail(key,
            QStringLiteral("\"%1\" must start with %2").arg(value, schemes.join(QStringLiteral(":// or ")) + u"://"));
    }
}

void checkLocal(JsonReader &backend)
{
    text(backend, QStringLiteral("probePath"), Presence::Optional);
    text(backend, QStringLiteral("chromePath"), Presence::Optional);
    backend.integer(QStringLiteral("maxConcurrency"), Presence::Optional, 1, maxLocalConcurrency);
}

void checkStatic(JsonReader &backend, const QString &backendPath)
{
    const QJsonArray probes = backend.array(QStringLiteral("probes"), Presence::Required, maxStaticProbes);
    if (!backend.ok())
        return;
    if (probes.isEmpty()) {
        backend.fail(QStringLiteral("probes"), QStringLiteral("expected at least one probe"));
        return;
    }
    for (qsizetype i = 0; i < probes.size() && backend.ok(); ++i) {
        const QString key = indexed(QStringLiteral("probes"), i);
        if (!probes.at(i).isObject()) {
            backend.fail(key, QStringLiteral("expected an object"));
            return;
        }
        JsonReader probe(probes.at(i).toObject(), joined(backendPath, key));
        checkUrl(probe, QStringLiteral("url"), { QStringLiteral("ws"), QStringLiteral("wss") });
        text(probe, QStringLiteral("tokenSecret"), Presence::Required, maxSecretKeyLength);
        const QString pin = probe.string(QStringLiteral("pinnedCertificateSha256"));
        if (probe.ok() && probe.has(QStringLiteral("pinnedCertificateSha256"))) {
            static const QRegularExpression sha256Hex(QStringLiteral("^[0-9A-Fa-f]{64}$"));
            if (!sha256Hex.match(QString(pin).remove(u':')).hasMatch()) {
                probe.fail(QStringLiteral("pinnedCertificateSha256"),
                    QStringLiteral("expected 64 hex digits (':' between bytes allowed)"));
            } else if (QUrl(probe.string(QStringLiteral("url"))).scheme() != u"wss") {
                probe.fail(QStringLiteral("pinnedCertificateSha256"), QStringLiteral("only applies to a wss:// url"));
            }
        }
        backend.adopt(probe);
    }
}

void checkFly(JsonReader &backend)
{
    text(backend, QStringLiteral("app"), Presence::Required, 63);
    text(backend, QStringLiteral("image"), Presence::Required);
}

void checkKubernetes(JsonReader &backend)
{
    checkUrl(backend, QStringLiteral("apiServer"), { QStringLiteral("https"), QStringLiteral("http") });
    text(backend, QStringLiteral("image"), Presence::Required);
}

// Seconds in the file, milliseconds in memory. Timeouts must be positive; idle times may be 0 (stop at once).
std::optional<qint64> seconds(JsonReader &pool, const QString &key, bool positive, double max)
{
    const std::optional<double> value = pool.number(key, Presence::Optional, 0, max);
    if (!value)
        return std::nullopt;
    const auto ms = static_cast<qint64>(std::llround(*value * 1000));
    if (positive && ms <= 0) {
        pool.fail(key, QStringLiteral("must be at least 0.001 seconds"));
        return std::nullopt;
    }
    return ms;
}

PoolSettings readPool(JsonReader &pool)
{
    pool.allowOnly({ QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("maxConcurrency"),
                       QStringLiteral("idleShutdownAfterSeconds"), QStringLiteral("minIdleShutdownAfterSeconds"),
                       QStringLiteral("bootTimeoutSeconds"), QStringLiteral("runTimeoutSeconds"),
                       QStringLiteral("checkoutTimeoutSeconds"), QStringLiteral("singleUse") },
        QStringLiteral("a pool setting"));
    PoolSettings settings;
    const int most = FleetConfig::maxRunnersPerRegion;
    settings.min
        = static_cast<int>(pool.integer(QStringLiteral("min"), Presence::Optional, 0, most).value_or(settings.min));
    settings.max
        = static_cast<int>(pool.integer(QStringLiteral("max"), Presence::Optional, 1, most).value_or(settings.max));
    settings.maxConcurrency = static_cast<int>(
        pool.integer(QStringLiteral("maxConcurrency"), Presence::Optional, 1, most).value_or(settings.maxConcurrency));
    settings.idleShutdownAfterMs = seconds(pool, QStringLiteral("idleShutdownAfterSeconds"), false, maxIdleSeconds)
                                       .value_or(settings.idleShutdownAfterMs);
    settings.minIdleShutdownAfterMs
        = seconds(pool, QStringLiteral("minIdleShutdownAfterSeconds"), false, maxIdleSeconds);
    settings.bootTimeoutMs
        = seconds(pool, QStringLiteral("bootTimeoutSeconds"), true, maxTimeoutSeconds).value_or(settings.bootTimeoutMs);
    settings.runTimeoutMs
        = seconds(pool, QStringLiteral("runTimeoutSeconds"), true, maxTimeoutSeconds).value_or(settings.runTimeoutMs);
    settings.checkoutTimeoutMs = seconds(pool, QStringLiteral("checkoutTimeoutSeconds"), true, maxTimeoutSeconds)
                                     .value_or(settings.checkoutTimeoutMs);
    settings.singleUse = pool.boolean(QStringLiteral("singleUse"), settings.singleUse);
    if (pool.ok() && settings.min > settings.max) {
        pool.fail(QStringLiteral("min"),
            QStringLiteral("%1 is more than max (%2): a pool cannot keep more runners than it may boot")
                .arg(settings.min)
                .arg(settings.max));
    }
    return settings;
}

std::optional<RegionConfig> readRegion(const QJsonObject &json, const QString &path, QString *error)
{
    JsonReader reader(json, path);
    reader.allowOnly({ QStringLiteral("code"), QStringLiteral("name"), QStringLiteral("latitude"),
                         QStringLiteral("longitude"), QStringLiteral("backend"), QStringLiteral("pool") },
        QStringLiteral("a region setting"));
    RegionConfig region;

    region.code = reader.string(QStringLiteral("code"), Presence::Required, maxCodeLength);
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z0-9_-]+$"));
    if (reader.ok() && !identifier.match(region.code).hasMatch()) {
        reader.fail(QStringLiteral("code"),
            QStringLiteral("\"%1\" is not an identifier (1–64 of A–Z a–z 0–9 _ -)").arg(region.code));
    }
    region.name = reader.string(QStringLiteral("name"), Presence::Optional, maxNameLength).trimmed();
    if (region.name.isEmpty())
        region.name = region.code;
    region.latitude = reader.number(QStringLiteral("latitude"), Presence::Required, -90, 90).value_or(0);
    region.longitude = reader.number(QStringLiteral("longitude"), Presence::Required, -180, 180).value_or(0);

    const QJsonObject backendJson = reader.object(QStringLiteral("backend"), Presence::Required);
    if (reader.ok()) {
        const QString backendPath = joined(path, QStringLiteral("backend"));
        JsonReader backend = reader.child(backendJson, QStringLiteral("backend"));
        region.backendType = backend.string(QStringLiteral("type"), Presence::Required, 64);
        if (backend.ok() && !backendTypes.contains(region.backendType)) {
            backend.fail(QStringLiteral("type"),
                QStringLiteral("unknown backend \"%1\" (expected local, static, fly or kubernetes)")
                    .arg(region.backendType));
        }
        if (backend.ok()) {
            if (const QString problem = secretProblem(backendJson, backendPath); !problem.isEmpty()) {
                *error = problem;
                return std::nullopt;
            }
        }
        if (backend.ok()) {
            if (region.backendType == u"local")
                checkLocal(backend);
            else if (region.backendType == u"static")
                checkStatic(backend, backendPath);
            else if (region.backendType == u"fly")
                checkFly(backend);
            else
                checkKubernetes(backend);
        }
        reader.adopt(backend);
        region.backendSettings = backendJson;
        region.backendSettings.remove(QStringLiteral("type"));
    }

    const QJsonObject poolJson = reader.object(QStringLiteral("pool"));
    if (reader.ok()) {
        JsonReader pool = reader.child(poolJson, QStringLiteral("pool"));
        region.pool = readPool(pool);
        reader.adopt(pool);
    }

    if (!reader.ok()) {
        *error = reader.error();
        return std::nullopt;
    }
    return region;
}

std::pair<int, int> lineAndColumn(const QByteArray &text, qsizetype offset)
{
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < offset && i < text.size(); ++i) {
        if (text.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return { line, column };
}

// ISO 6709 as tzdata writes it: ±DDMM±DDDMM or ±DDMMSS±DDDMMSS.
std::optional<double> sexagesimal(QByteArrayView digits, int degreeDigits)
{
    if (digits.size() != 1 + degreeDigits + 2 && digits.size() != 1 + degreeDigits + 4)
        return std::nullopt;
    if (digits.front() != '+' && digits.front() != '-')
        return std::nullopt;
    for (qsizetype i = 1; i < digits.size(); ++i) {
        if (digits.at(i) < '0' || digits.at(i) > '9')
            return std::nullopt;
    }
    auto number = [&](qsizetype from, qsizetype count) { return digits.sliced(from, count).toInt(); };
    double value = number(1, degreeDigits) + number(1 + degreeDigits, 2) / 60.0;
    if (digits.size() == 1 + degreeDigits + 4)
        value += number(1 + degreeDigits + 2, 2) / 3600.0;
    return digits.front() == '-' ? -value : value;
}

double roundTo100th(double degrees)
{
    return std::round(degrees * 100) / 100;
}

} // namespace

QJsonObject PoolSettings::toJson() const
{
    auto secondsOf = [](qint64 ms) { return static_cast<double>(ms) / 1000.0; };
    return {
        { QStringLiteral("min"), min },
        { QStringLiteral("max"), max },
        { QStringLiteral("maxConcurrency"), maxConcurrency },
        { QStringLiteral("idleShutdownAfterSeconds"), secondsOf(idleShutdownAfterMs) },
        { QStringLiteral("minIdleShutdownAfterSeconds"),
            minIdleShutdownAfterMs ? QJsonValue(secondsOf(*minIdleShutdownAfterMs)) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("bootTimeoutSeconds"), secondsOf(bootTimeoutMs) },
        { QStringLiteral("runTimeoutSeconds"), secondsOf(runTimeoutMs) },
        { QStringLiteral("checkoutTimeoutSeconds"), secondsOf(checkoutTimeoutMs) },
        { QStringLiteral("singleUse"), singleUse },
    };
}

QJsonObject RegionConfig::toJson() const
{
    QJsonObject backend = backendSettings;
    backend.insert(QStringLiteral("type"), backendType);
    return {
        { QStringLiteral("code"), code },
        { QStringLiteral("name"), name },
        { QStringLiteral("latitude"), latitude },
        { QStringLiteral("longitude"), longitude },
        { QStringLiteral("backend"), backend },
        { QStringLiteral("pool"), pool.toJson() },
    };
}

const RegionConfig *FleetConfig::region(const QString &code) const
{
    for (const RegionConfig &candidate : regions) {
        if (candidate.code == code)
            return &candidate;
    }
    return nullptr;
}

QJsonObject FleetConfig::toJson() const
{
    QJsonArray list;
    for (const RegionConfig &region : regions)
        list.append(region.toJson());
    return { { QStringLiteral("version"), currentVersion }, { QStringLiteral("regions"), list } };
}

std::optional<FleetConfig> FleetConfig::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader reader(json);
    reader.allowOnly({ QStringLiteral("version"), QStringLiteral("regions") }, QStringLiteral("a fleet setting"));
    const std::optional<qint64> version = reader.integer(QStringLiteral("version"), Presence::Required, 1);
    if (reader.ok() && *version > currentVersion) {
        reader.fail(QStringLiteral("version"),
            QStringLiteral("this file is fleet config version %1, written by a newer WorldSpeed; this one reads "
                           "version %2 and older — update WorldSpeed to use it")
                .arg(*version)
                .arg(currentVersion));
    }
    const QJsonArray list = reader.array(QStringLiteral("regions"), Presence::Required, maxRegions);
    if (reader.ok() && list.isEmpty())
        reader.fail(QStringLiteral("regions"), QStringLiteral("expected at least one region"));
    if (!reader.ok()) {
        *error = reader.error();
        return std::nullopt;
    }

    FleetConfig config;
    QHash<QString, qsizetype> firstWithCode; // case-folded: "FRA" and "fra" would be one region to a person
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString path = indexed(QStringLiteral("regions"), i);
        if (!list.at(i).isObject()) {
            *error = path + QStringLiteral(": expected an object");
            return std::nullopt;
        }
        std::optional<RegionConfig> region = readRegion(list.at(i).toObject(), path, error);
        if (!region)
            return std::nullopt;
        const QString folded = region->code.toCaseFolded();
        if (const auto earlier = firstWithCode.constFind(folded); earlier != firstWithCode.cend()) {
            *error = path
                + QStringLiteral(".code: duplicate region code \"%1\" (regions[%2] has it too)")
                      .arg(region->code)
                      .arg(*earlier);
            return std::nullopt;
        }
        firstWithCode.insert(folded, i);
        config.regions.append(std::move(*region));
    }
    return config;
}

std::optional<FleetConfig> FleetConfig::fromJson(const QByteArray &text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const auto [line, column] = lineAndColumn(text, parseError.offset);
        *error = QStringLiteral("not valid JSON at line %1, column %2: %3")
                     .arg(line)
                     .arg(column)
                     .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("expected a JSON object with \"version\" and \"regions\"");
        return std::nullopt;
    }
    return fromJson(document.object(), error);
}

std::optional<FleetConfig> FleetConfig::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the fleet config %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > maxFileBytes) {
        *error = QStringLiteral("%1: larger than %2 MiB, not a fleet config").arg(path).arg(maxFileBytes >> 20);
        return std::nullopt;
    }
    QString problem;
    std::optional<FleetConfig> config = fromJson(file.readAll(), &problem);
    if (!config)
        *error = path + u": " + problem;
    return config;
}

bool FleetConfig::save(const QString &path, QString *error) const
{
    // What cannot be read back is not written: a save must never leave a file the next start refuses.
    QString problem;
    if (!fromJson(toJson(), &problem)) {
        *error = QStringLiteral("not saving the fleet config to %1: %2").arg(path, problem);
        return false;
    }
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the directory %1").arg(info.absolutePath());
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write the fleet config %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = QStringLiteral("cannot write the fleet config %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

FleetConfig FleetConfig::defaultConfig()
{
    RegionConfig region;
    region.code = QStringLiteral("local");
    region.name = QStringLiteral("This computer");
    std::tie(region.latitude, region.longitude) = defaultPosition();
    region.backendType = QStringLiteral("local");
    FleetConfig config;
    config.regions.append(region);
    return config;
}

std::pair<double, double> FleetConfig::defaultPosition()
{
    const QByteArray zoneId = QTimeZone::systemTimeZoneId();
    if (zoneId.isEmpty())
        return greenwich;
    QString zoneInfo = qEnvironmentVariable("TZDIR");
    if (zoneInfo.isEmpty())
        zoneInfo = QStringLiteral("/usr/share/zoneinfo");
    for (const QString &table : { QStringLiteral("zone1970.tab"), QStringLiteral("zone.tab") }) {
        QFile file(zoneInfo + u'/' + table);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        if (const auto position = positionInZoneTable(file.readAll(), zoneId))
            return *position;
    }
    return greenwich;
}

std::optional<std::pair<double, double>> FleetConfig::positionInZoneTable(
    const QByteArray &table, const QByteArray &zoneId)
{
    for (const QByteArray &line : table.split('\n')) {
        if (line.startsWith('#'))
            continue;
        const QList<QByteArray> columns = line.split('\t');
        if (columns.size() < 3 || columns.at(2).trimmed() != zoneId)
            continue;
        const QByteArray &coordinates = columns.at(1);
        if (coordinates.isEmpty())
            return std::nullopt; // the split below takes a sign first, and views past the end are undefined
        qsizetype split = 1;
        while (split < coordinates.size() && coordinates.at(split) != '+' && coordinates.at(split) != '-')
            ++split;
        const std::optional<double> latitude = sexagesimal(QByteArrayView(coordinates).first(split), 2);
        const std::optional<double> longitude = sexagesimal(QByteArrayView(coordinates).sliced(split), 3);
        if (!latitude || !longitude || std::fabs(*latitude) > 90 || std::fabs(*longitude) > 180)
            return std::nullopt;
        return std::pair { roundTo100th(*latitude), roundTo100th(*longitude) };
    }
    return std::nullopt;
}
