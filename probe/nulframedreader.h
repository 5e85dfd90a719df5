#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

// Cuts a byte stream into messages that each end with a NUL byte, the framing of Chrome's --remote-debugging-pipe.
// Bytes arrive in whatever pieces the pipe hands over: a piece may hold part of a message, several messages, or
// the end of one and the start of the next. A message longer than the cap is refused rather than buffered: the
// reader then stays failed and returns nothing more, since the stream has no way to resynchronise.
// No I/O here, so the framing is testable with any chunking.
class NulFramedReader final
{
    Q_DISABLE_COPY_MOVE(NulFramedReader)

public:
    explicit NulFramedReader(qsizetype maxMessageBytes);

    // Takes the next bytes of the stream; returns the messages they completed, oldest first, without their NUL.
    // Empty messages (two NULs in a row) are skipped: no CDP message is empty.
    QList<QByteArray> append(QByteArrayView bytes);

    // True once a message grew past the cap; append() then returns nothing.
    bool failed() const { return m_failed; }
    qsizetype maxMessageBytes() const { return m_maxMessageBytes; }
    // Bytes of the message not yet complete.
    qsizetype pendingBytes() const { return m_partial.size(); }

private:
    bool fits(qsizetype extraBytes);

    QByteArray m_partial;
    qsizetype m_maxMessageBytes;
    bool m_failed = false;
};
