#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

#include <optional>

// The app's icon in every format the desktop platforms ask for, drawn from one square SVG:
//   hicolor/<N>x<N>/apps/<name>.png and hicolor/scalable/apps/<name>.svg   freedesktop icon theme (Linux)
//   <name>.ico                                                             Windows
//   <name>.icns                                                            macOS
// <name> is the SVG's file name without its extension. Everything is rendered and encoded in memory first, so an
// SVG that cannot be drawn leaves no half-written set behind.
class IconSet final
{
public:
    // Reads the SVG and checks that Qt can draw it and that it is square; on error returns nullopt and says why.
    static std::optional<IconSet> fromSvgFile(const QString &path, QString *error);

    const QString &name() const { return m_name; }
    const QByteArray &svg() const { return m_svg; }

    // The icon at size × size pixels, with straight (not premultiplied) alpha.
    QImage render(int size) const;

    // The Windows icon and the macOS icon as file contents.
    QByteArray ico() const;
    QByteArray icns() const;

    // Writes the whole set below directory, creating the folders it needs; on error says which file and why.
    bool writeTo(const QString &directory, QString *error) const;

private:
    IconSet(QString name, QByteArray svg);

    QString m_name;
    QByteArray m_svg;
};
