#pragma once

#include <QLocale>
#include <QString>

// Byte counts as people read them, one convention wherever we show one (the probe's and the CLI's tables, the
// app's region table and waterfall, the PDF): 1000-based SI units (kB, MB, GB) as Chrome DevTools and WebPageTest
// write them and as the CLI's budgets count. Before, the probe divided by 1024 but wrote "KB", the app wrote KiB
// and the CLI KB, so one page showed three different sizes.
class DataSize final
{
public:
    // "850 bytes", "33.1 kB", "2.45 MB" (in `locale`'s digits and separators).
    static QString text(qint64 bytes, const QLocale &locale = QLocale::c());
};
