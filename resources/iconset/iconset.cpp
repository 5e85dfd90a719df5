#include "iconset.h"

#include <QBuffer>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QImageWriter>
#include <QList>
#include <QPainter>
#include <QSaveFile>
#include <QSvgRenderer>

#include <iterator>
#include <utility>

namespace {

// The sizes desktops ask an icon theme for; each is a folder in hicolor's own index.theme.
constexpr int hicolorSizes[] = { 16, 22, 24, 32, 48, 64, 128, 256, 512 };

// What Windows picks from: small icons in lists and title bars at 100–200 % scaling, 48 for Explorer's medium
// view, 256 for its large views.
constexpr int icoSizes[] = { 16, 24, 32, 48, 64, 256 };

struct IcnsEntry
{
    const char *type;
    int size;
};

// The PNG-carrying types of the macOS icon family; ic11–ic14 are the @2x (Retina) variants of 16–256.
constexpr IcnsEntry icnsEntries[] = {
    { "icp4", 16 },
    { "icp5", 32 },
    { "icp6", 64 },
    { "ic07", 128 },
    { "ic08", 256 },
    { "ic09", 512 },
    { "ic10", 1024 },
    { "ic11", 32 },
    { "ic12", 64 },
    { "ic13", 256 },
    { "ic14", 512 },
};

QByteArray pngData(const QImage &image)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image))
        return {};
    return data;
}

// A 32-bit BITMAPINFOHEADER DIB as ICO entries hold it: twice the height (colour rows, then the AND mask), rows
// bottom-up, BGRA. Sizes below 256 are stored this way, as in Windows' own icons, because tools that still handle
// icons the pre-Vista way (some installer builders and icon extractors) expect DIBs there.
QByteArray dibData(const QImage &image)
{
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    const int width = argb.width();
    const int height = argb.height();
    const int maskStride = (width + 31) / 32 * 4;

    QByteArray data;
    QDataStream out(&data, QIODevice::WriteOnly);
    out.setByteOrder(QDataStream::LittleEndian);
    out << quint32(40) << qint32(width) << qint32(2 * height) << quint16(1) << quint16(32) << quint32(0)
        << quint32(width * height * 4 + maskStride * height) << qint32(0) << qint32(0) << quint32(0) << quint32(0);
    for (int y = height - 1; y >= 0; --y) {
        const auto *line = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        for (int x = 0; x < width; ++x)
            out << quint8(qBlue(line[x])) << quint8(qGreen(line[x])) << quint8(qRed(line[x]))
                << quint8(qAlpha(line[x]));
    }
    // Windows uses the alpha channel of 32-bit entries; the mask only matters to code that ignores alpha, which
    // should then see the fully transparent pixels as transparent.
    for (int y = height - 1; y >= 0; --y) {
        const auto *line = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        QByteArray row(maskStride, '\0');
        for (int x = 0; x < width; ++x) {
            if (qAlpha(line[x]) == 0)
                row[x / 8] = char(row[x / 8] | (0x80 >> (x % 8)));
        }
        out.writeRawData(row.constData(), int(row.size()));
    }
    return data;
}

} // namespace

IconSet::IconSet(QString name, QByteArray svg)
    : m_name(std::move(name))
    , m_svg(std::move(svg))
{ }

std::optional<IconSet> IconSet::fromSvgFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray svg = file.readAll();
    QSvgRenderer renderer;
    if (svg.isEmpty() || !renderer.load(svg) || !renderer.isValid()) {
        *error = QStringLiteral("%1 is not an SVG image that Qt can draw").arg(path);
        return std::nullopt;
    }
    const QRectF viewBox = renderer.viewBoxF();
    if (viewBox.isEmpty()) {
        *error = QStringLiteral("%1 has no size: it needs a view box or a width and a height").arg(path);
        return std::nullopt;
    }
    if (!qFuzzyCompare(viewBox.width(), viewBox.height())) {
        *error = QStringLiteral("%1 is %2 × %3, but an icon must be square")
                     .arg(path)
                     .arg(viewBox.width())
                     .arg(viewBox.height());
        return std::nullopt;
    }
    return IconSet(QFileInfo(path).completeBaseName(), svg);
}

QImage IconSet::render(int size) const
{
    QSvgRenderer renderer(m_svg);
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
    renderer.render(&painter, QRectF(0, 0, size, size));
    painter.end();
    return image.convertToFormat(QImage::Format_ARGB32);
}

QByteArray IconSet::ico() const
{
    QList<QByteArray> images;
    for (const int size : icoSizes) {
        // Windows Vista and later read PNG entries, and only PNG keeps a 256 px entry small.
        images.append(size >= 256 ? pngData(render(size)) : dibData(render(size)));
        if (images.constLast().isEmpty())
            return {};
    }

    QByteArray data;
    QDataStream out(&data, QIODevice::WriteOnly);
    out.setByteOrder(QDataStream::LittleEndian);
    const int count = int(std::size(icoSizes));
    out << quint16(0) << quint16(1) << quint16(count);
    quint32 offset = 6 + 16 * count;
    for (int i = 0; i < count; ++i) {
        // A width or height byte of 0 means 256.
        const auto side = quint8(icoSizes[i] % 256);
        out << side << side << quint8(0) << quint8(0) << quint16(1) << quint16(32) << quint32(images.at(i).size())
            << offset;
        offset += quint32(images.at(i).size());
    }
    for (const QByteArray &image : std::as_const(images))
        out.writeRawData(image.constData(), int(image.size()));
    return data;
}

QByteArray IconSet::icns() const
{
    QHash<int, QByteArray> pngs;
    QByteArray entries;
    QDataStream out(&entries, QIODevice::WriteOnly);
    out.setByteOrder(QDataStream::BigEndian);
    for (const IcnsEntry &entry : icnsEntries) {
        if (!pngs.contains(entry.size))
            pngs.insert(entry.size, pngData(render(entry.size)));
        const QByteArray &png = pngs[entry.size];
        if (png.isEmpty())
            return {};
        out.writeRawData(entry.type, 4);
        // Each entry's length counts its own 8-byte header.
        out << quint32(8 + png.size());
        out.writeRawData(png.constData(), int(png.size()));
    }

    QByteArray data;
    QDataStream file(&data, QIODevice::WriteOnly);
    file.setByteOrder(QDataStream::BigEndian);
    file.writeRawData("icns", 4);
    file << quint32(8 + entries.size());
    file.writeRawData(entries.constData(), int(entries.size()));
    return data;
}

bool IconSet::writeTo(const QString &directory, QString *error) const
{
    QList<std::pair<QString, QByteArray>> files;
    for (const int size : hicolorSizes)
        files.append({ QStringLiteral("hicolor/%1x%1/apps/%2.png").arg(size).arg(m_name), pngData(render(size)) });
    files.append({ QStringLiteral("hicolor/scalable/apps/%1.svg").arg(m_name), m_svg });
    files.append({ m_name + u".ico", ico() });
    files.append({ m_name + u".icns", icns() });
    for (const auto &[relativePath, contents] : std::as_const(files)) {
        if (contents.isEmpty()) {
            *error = QStringLiteral("cannot encode %1").arg(relativePath);
            return false;
        }
    }

    const QDir root(directory);
    for (const auto &[relativePath, contents] : std::as_const(files)) {
        const QString path = root.filePath(relativePath);
        const QString folder = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(folder)) {
            *error = QStringLiteral("cannot create the folder %1").arg(folder);
            return false;
        }
        // QSaveFile, so a failed write never leaves a truncated icon that looks up to date to the build.
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size() || !file.commit()) {
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
            return false;
        }
    }
    return true;
}
