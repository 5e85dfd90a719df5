#include "nulframedreader.h"

NulFramedReader::NulFramedReader(qsizetype maxMessageBytes)
    : m_maxMessageBytes(maxMessageBytes)
{ }

bool NulFramedReader::fits(qsizetype extraBytes)
{
    // Checked before the bytes are kept, so the buffer never holds more than the cap.
    if (m_partial.size() + extraBytes > m_maxMessageBytes) {
        m_failed = true;
        m_partial = QByteArray();
    }
    return !m_failed;
}

QList<QByteArray> NulFramedReader::append(QByteArrayView bytes)
{
    QList<QByteArray> messages;
    while (!m_failed && !bytes.isEmpty()) {
        const qsizetype end = bytes.indexOf('\0');
        if (end < 0) {
            if (fits(bytes.size()))
                m_partial.append(bytes);
            break;
        }
        if (!fits(end))
            break;
        m_partial.append(bytes.first(end));
        if (!m_partial.isEmpty())
            messages.append(std::exchange(m_partial, QByteArray()));
        bytes = bytes.sliced(end + 1);
    }
    return messages;
}
