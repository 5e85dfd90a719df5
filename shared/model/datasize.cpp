#include "datasize.h"

QString DataSize::text(qint64 bytes, const QLocale &locale)
{
    // One decimal up to a megabyte, two beyond: enough to tell two runs of a heavy page apart.
    const int precision = bytes < 1'000'000 ? 1 : 2;
    return locale.formattedDataSize(bytes, precision, QLocale::DataSizeSIFormat);
}
