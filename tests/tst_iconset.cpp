#include "iconset.h"

#include <QBuffer>
#include <QDataStream>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

// The expected sizes and types come from the platforms' specifications (freedesktop Icon Theme Specification,
// Microsoft's ICO format, Apple's icns types), not from IconSet: a wrong table there must fail here.
namespace {

const QList<int> hicolorSizes = { 16, 22, 24, 32, 48, 64, 128, 256, 512 };
const QList<int> icoSizes = { 16, 24, 32, 48, 64, 256 };
const QList<std::pair<QByteArray, int>> icnsTypes = {
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
const QByteArray pngSignature("\x89PNG\r\n\x1a\n", 8);
const QString builtInSvg = QStringLiteral(":/worldspeed/icons/worldspeed.svg");

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList filesBelow(const QString &directory)
{
    QStringList files;
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(QDir(directory).relativeFilePath(it.next()));
    files.sort();
    return files;
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

// Our own reading of a 32-bit ICO DIB entry (BITMAPINFOHEADER, colour rows bottom-up in BGRA, then the 1-bit AND
// mask), independent of IconSet's writer and of Qt's ICO plugin. Returns a null image and says why on error.
QImage decodeDib(const QByteArray &dib, int size, QString *why)
{
    QDataStream in(dib);
    in.setByteOrder(QDataStream::LittleEndian);
    quint32 headerSize = 0, compression = 0, imageSize = 0, colorsUsed = 0, colorsImportant = 0;
    qint32 width = 0, height = 0, xPixelsPerMeter = 0, yPixelsPerMeter = 0;
    quint16 planes = 0, bitCount = 0;
    in >> headerSize >> width >> height >> planes >> bitCount >> compression >> imageSize >> xPixelsPerMeter
        >> yPixelsPerMeter >> colorsUsed >> colorsImportant;
    const qsizetype maskStride = (size + 31) / 32 * 4;
    const qsizetype colourBytes = qsizetype(size) * size * 4;
    if (in.status() != QDataStream::Ok || headerSize != 40 || width != size || height != 2 * size || planes != 1
        || bitCount != 32 || compression != 0) {
        *why = QStringLiteral("bad BITMAPINFOHEADER");
        return {};
    }
    if (dib.size() != 40 + colourBytes + maskStride * size) {
        *why = QStringLiteral("%1 bytes, expected %2").arg(dib.size()).arg(40 + colourBytes + maskStride * size);
        return {};
    }
    QImage image(size, size, QImage::Format_ARGB32);
    const auto *pixels = reinterpret_cast<const uchar *>(dib.constData()) + 40;
    const auto *mask = pixels + colourBytes;
    for (int y = 0; y < size; ++y) {
        const int row = size - 1 - y;
        for (int x = 0; x < size; ++x) {
            const uchar *bgra = pixels + (qsizetype(row) * size + x) * 4;
            image.setPixel(x, y, qRgba(bgra[2], bgra[1], bgra[0], bgra[3]));
            const bool masked = mask[row * maskStride + x / 8] & (0x80 >> (x % 8));
            if (masked != (bgra[3] == 0)) {
                *why = QStringLiteral("AND mask disagrees with alpha at %1,%2").arg(x).arg(y);
                return {};
            }
        }
    }
    return image;
}

} // namespace

class tst_IconSet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void exactlyTheExpectedFiles();
    void scalableIsTheSource();
    void hicolorPng_data();
    void hicolorPng();
    void icoStructure();
    void icoThroughQtPlugin();
    void icnsStructure();
    void badSvg_data();
    void badSvg();
    void unwritableFolder();
    void tool_data();
    void tool();

private:
    QTemporaryDir m_dir;
    QString m_out;
};

void tst_IconSet::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_out = m_dir.filePath(QStringLiteral("icons"));
    QString error;
    // The copy built into the app, so this also proves the resource is there.
    const std::optional<IconSet> iconSet = IconSet::fromSvgFile(builtInSvg, &error);
    QVERIFY2(iconSet, qPrintable(error));
    QCOMPARE(iconSet->name(), QStringLiteral("worldspeed"));
    QVERIFY2(iconSet->writeTo(m_out, &error), qPrintable(error));
}

void tst_IconSet::exactlyTheExpectedFiles()
{
    QStringList expected = { QStringLiteral("hicolor/scalable/apps/worldspeed.svg"), QStringLiteral("worldspeed.ico"),
        QStringLiteral("worldspeed.icns") };
    for (const int size : hicolorSizes)
        expected.append(QStringLiteral("hicolor/%1x%1/apps/worldspeed.png").arg(size));
    expected.sort();
    // No leftovers either, such as QSaveFile's temporary files.
    QCOMPARE(filesBelow(m_out), expected);
}

void tst_IconSet::scalableIsTheSource()
{
    const QByteArray source = readAll(builtInSvg);
    QVERIFY(source.contains("<svg"));
    QCOMPARE(readAll(m_out + u"/hicolor/scalable/apps/worldspeed.svg"), source);
}

void tst_IconSet::hicolorPng_data()
{
    QTest::addColumn<int>("size");
    for (const int size : hicolorSizes)
        QTest::addRow("%dx%d", size, size) << size;
}

void tst_IconSet::hicolorPng()
{
    QFETCH(int, size);
    const QString path = m_out + QStringLiteral("/hicolor/%1x%1/apps/worldspeed.png").arg(size);
    QImageReader reader(path, "png");
    const QImage image = reader.read();
    QVERIFY2(!image.isNull(), qPrintable(path + u": " + reader.errorString()));
    QCOMPARE(image.size(), QSize(size, size));
    QVERIFY(image.hasAlphaChannel());

    // The icon is round with a margin, so the corners are see-through and the middle (the needle's hub) is solid.
    for (const QPoint corner : { QPoint(0, 0), QPoint(size - 1, 0), QPoint(0, size - 1), QPoint(size - 1, size - 1) })
        QCOMPARE(qAlpha(image.pixel(corner)), 0);
    const int middle = size / 2;
    for (const QPoint centre : { QPoint(middle - 1, middle - 1), QPoint(middle, middle - 1), QPoint(middle - 1, middle),
             QPoint(middle, middle) })
        QCOMPARE(qAlpha(image.pixel(centre)), 255);

    // A globe and its dial cover about half of the square; a blank or mostly clipped render does not. Coverage,
    // not a count of solid pixels, so the soft edges of the small sizes count for what they are.
    qint64 alphaSum = 0;
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x)
            alphaSum += qAlpha(image.pixel(x, y));
    }
    const double coverage = double(alphaSum) / (255.0 * size * size);
    QVERIFY2(coverage > 0.4 && coverage < 0.7, qPrintable(QString::number(coverage)));
}

void tst_IconSet::icoStructure()
{
    const QByteArray ico = readAll(m_out + u"/worldspeed.ico");
    QDataStream in(ico);
    in.setByteOrder(QDataStream::LittleEndian);
    quint16 reserved = 0, type = 0, count = 0;
    in >> reserved >> type >> count;
    QCOMPARE(reserved, quint16(0));
    QCOMPARE(type, quint16(1));
    QCOMPARE(int(count), icoSizes.size());

    const qsizetype directoryEnd = 6 + 16 * count;
    QList<std::pair<quint32, quint32>> ranges;
    QList<int> sizes;
    for (int i = 0; i < count; ++i) {
        quint8 width = 0, height = 0, colors = 0, entryReserved = 0;
        quint16 planes = 0, bitCount = 0;
        quint32 bytes = 0, offset = 0;
        in >> width >> height >> colors >> entryReserved >> planes >> bitCount >> bytes >> offset;
        QCOMPARE(in.status(), QDataStream::Ok);
        QCOMPARE(width, height);
        QCOMPARE(colors, quint8(0));
        QCOMPARE(entryReserved, quint8(0));
        QCOMPARE(planes, quint16(1));
        QCOMPARE(bitCount, quint16(32));
        QVERIFY(bytes > 0);
        QVERIFY2(offset >= directoryEnd && qsizetype(offset) + bytes <= ico.size(),
            qPrintable(QStringLiteral("entry %1 at %2 + %3 of %4").arg(i).arg(offset).arg(bytes).arg(ico.size())));
        ranges.append({ offset, bytes });

        const int size = width == 0 ? 256 : width;
        sizes.append(size);
        const QByteArray data = ico.mid(offset, bytes);
        const QImage png = QImage(m_out + QStringLiteral("/hicolor/%1x%1/apps/worldspeed.png").arg(size));
        if (data.startsWith(pngSignature)) {
            const QImage image = QImage::fromData(data, "png");
            QCOMPARE(image.size(), QSize(size, size));
        } else {
            // Only PNG keeps a 256 px entry small, and Windows reads 256 px entries only as PNG.
            QVERIFY2(size < 256, "the 256 px entry must be PNG");
            QString why;
            const QImage image = decodeDib(data, size, &why);
            QVERIFY2(!image.isNull(), qPrintable(QStringLiteral("%1 px entry: %2").arg(size).arg(why)));
            // Same pixels as the PNG of that size: rows, channel order and alpha all came through.
            if (!png.isNull())
                QCOMPARE(image, png.convertToFormat(QImage::Format_ARGB32));
        }
    }
    std::sort(sizes.begin(), sizes.end());
    QCOMPARE(sizes, icoSizes);

    // The images follow the directory back to back: nothing overlaps, nothing is left over.
    std::sort(ranges.begin(), ranges.end());
    quint32 next = quint32(directoryEnd);
    for (const auto &[offset, bytes] : std::as_const(ranges)) {
        QCOMPARE(offset, next);
        next = offset + bytes;
    }
    QCOMPARE(qsizetype(next), ico.size());
}

void tst_IconSet::icoThroughQtPlugin()
{
    if (!QImageReader::supportedImageFormats().contains("ico"))
        QSKIP("Qt's ICO image plugin (qico) is not installed");
    QImageReader reader(m_out + u"/worldspeed.ico", "ico");
    QVERIFY2(reader.canRead(), qPrintable(reader.errorString()));
    QCOMPARE(reader.imageCount(), icoSizes.size());
    QList<int> sizes;
    for (int i = 0; i < reader.imageCount(); ++i) {
        QVERIFY(reader.jumpToImage(i));
        const QImage image = reader.read();
        QVERIFY2(!image.isNull(), qPrintable(QStringLiteral("image %1: %2").arg(i).arg(reader.errorString())));
        QCOMPARE(image.width(), image.height());
        // The hub in the middle is opaque in every entry, DIB or PNG.
        QCOMPARE(qAlpha(image.pixel(image.width() / 2, image.height() / 2)), 255);
        sizes.append(image.width());
    }
    std::sort(sizes.begin(), sizes.end());
    QCOMPARE(sizes, icoSizes);
}

void tst_IconSet::icnsStructure()
{
    const QByteArray icns = readAll(m_out + u"/worldspeed.icns");
    QVERIFY(icns.startsWith("icns"));
    QDataStream in(icns);
    in.setByteOrder(QDataStream::BigEndian);
    in.skipRawData(4);
    quint32 total = 0;
    in >> total;
    QCOMPARE(qsizetype(total), icns.size());

    QList<std::pair<QByteArray, int>> found;
    qsizetype at = 8;
    while (at < icns.size()) {
        QVERIFY2(at + 8 <= icns.size(), "entry header cut short");
        const QByteArray type = icns.mid(at, 4);
        QDataStream lengthIn(icns.mid(at + 4, 4));
        quint32 length = 0;
        lengthIn >> length;
        QVERIFY2(length > 8 && at + length <= icns.size(),
            qPrintable(QStringLiteral("%1: length %2 at %3").arg(QString::fromLatin1(type)).arg(length).arg(at)));
        const QByteArray data = icns.mid(at + 8, length - 8);
        QVERIFY2(data.startsWith(pngSignature), type.constData());
        const QImage image = QImage::fromData(data, "png");
        QCOMPARE(image.width(), image.height());
        found.append({ type, image.width() });
        at += length;
    }
    QCOMPARE(at, icns.size());
    std::sort(found.begin(), found.end());
    QList<std::pair<QByteArray, int>> expected = icnsTypes;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(found, expected);
}

void tst_IconSet::badSvg_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("reason");
    QTest::newRow("PNG bytes") << (pngSignature + QByteArray(64, 'x')) << QStringLiteral("not an SVG");
    QTest::newRow("plain text") << QByteArray("a globe with a needle\n") << QStringLiteral("not an SVG");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("not an SVG");
    QTest::newRow("not square") << QByteArray(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\"><rect width=\"100\" "
        "height=\"50\"/></svg>") << QStringLiteral("square");
}

void tst_IconSet::badSvg()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString svg = dir.filePath(QStringLiteral("worldspeed.svg"));
    QVERIFY(writeFile(svg, contents));
    QString error;
    QVERIFY(!IconSet::fromSvgFile(svg, &error));
    QVERIFY2(error.contains(svg) && error.contains(reason), qPrintable(error));

    error.clear();
    const QString missing = dir.filePath(QStringLiteral("missing.svg"));
    QVERIFY(!IconSet::fromSvgFile(missing, &error));
    QVERIFY2(error.contains(missing), qPrintable(error));
}

void tst_IconSet::unwritableFolder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Below a plain file, so not even root can create the folder (a read-only folder would not stop root).
    const QString file = dir.filePath(QStringLiteral("file"));
    QVERIFY(writeFile(file, "x"));
    QString error;
    const std::optional<IconSet> iconSet = IconSet::fromSvgFile(builtInSvg, &error);
    QVERIFY2(iconSet, qPrintable(error));
    QVERIFY(!iconSet->writeTo(file + u"/icons", &error));
    QVERIFY2(error.contains(file), qPrintable(error));
    QCOMPARE(readAll(file), QByteArray("x"));
}

void tst_IconSet::tool_data()
{
    QTest::addColumn<QByteArray>("svg"); // empty: no SVG file at all
    QTest::addColumn<bool>("outputBelowFile");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("writes the set") << readAll(builtInSvg) << false << 0 << QString();
    QTest::newRow("missing SVG") << QByteArray() << false << 1 << QStringLiteral("cannot read");
    QTest::newRow("not an SVG") << QByteArray("GIF89a, honestly") << false << 1 << QStringLiteral("not an SVG");
    QTest::newRow("unwritable folder") << readAll(builtInSvg) << true << 1 << QStringLiteral("cannot create");
}

void tst_IconSet::tool()
{
    QFETCH(QByteArray, svg);
    QFETCH(bool, outputBelowFile);
    QFETCH(int, exitCode);
    QFETCH(QString, stderrHas);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString svgPath = dir.filePath(QStringLiteral("worldspeed.svg"));
    if (!svg.isEmpty())
        QVERIFY(writeFile(svgPath, svg));
    QString output = dir.filePath(QStringLiteral("out"));
    if (outputBelowFile) {
        QVERIFY(writeFile(output, "x"));
        output += u"/icons";
    }

    QProcess tool;
    tool.start(QStringLiteral(WORLDSPEED_ICONSET_EXE), { svgPath, output });
    QVERIFY2(tool.waitForFinished(60000), qPrintable(tool.errorString()));
    QCOMPARE(tool.exitStatus(), QProcess::NormalExit);
    const QString err = QString::fromLocal8Bit(tool.readAllStandardError());
    QVERIFY2(tool.exitCode() == exitCode, qPrintable(err));
    if (exitCode == 0) {
        QCOMPARE(filesBelow(output).size(), hicolorSizes.size() + 3);
        return;
    }
    // Qt's SVG parser may say where it stopped first; the tool's own verdict comes last.
    const QString verdict = err.trimmed().split(u'\n').constLast();
    QVERIFY2(verdict.startsWith(u"worldspeed-iconset: ") && verdict.contains(stderrHas), qPrintable(err));
    // A failed run leaves nothing behind: no output folder, or the blocking file untouched.
    if (outputBelowFile)
        QCOMPARE(readAll(dir.filePath(QStringLiteral("out"))), QByteArray("x"));
    else
        QVERIFY(!QFileInfo::exists(output));
}

// Without a GUI application, like the build-time tool: drawing the icon must not need a display.
QTEST_GUILESS_MAIN(tst_IconSet)
#include "tst_iconset.moc"
