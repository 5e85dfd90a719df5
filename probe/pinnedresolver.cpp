#include "pinnedresolver.h"

#include <QMetaObject>

namespace {

constexpr int namesNamedInWarning = 5;
constexpr qsizetype maxCutNamesCounted = 4096;

void answerLater(QObject *context, std::function<void(const HostAnswer &)> done, HostAnswer answer)
{
    QMetaObject::invokeMethod(
        context, [done = std::move(done), answer = std::move(answer)] { done(answer); }, Qt::QueuedConnection);
}

} // namespace

PinnedResolver::PinnedResolver(std::shared_ptr<HostLookup> resolver, int maxNames, QObject *parent)
    : QObject(parent)
    , m_resolver(std::move(resolver))
    , m_maxNames(std::max(1, maxNames))
{ }

void PinnedResolver::lookup(const QString &host, std::chrono::milliseconds timeout, QObject *context,
    std::function<void(const HostAnswer &)> done)
{
    Q_ASSERT(context);
    QString key = host.toLower();
    if (key.endsWith(u'.'))
        key.chop(1);
    if (const auto it = m_names.find(key); it != m_names.end()) {
        if (it->answered)
            answerLater(context, std::move(done), it->answer);
        else
            it->waiters.append(Waiter { context, std::move(done) });
        return;
    }
    if (m_names.size() >= m_maxNames) {
        // Counted once per name, in a set as bounded as everything else a page can grow.
        if (m_cut.size() < maxCutNamesCounted && !m_cut.contains(key)) {
            m_cut.insert(key);
            if (m_cutNames.size() < namesNamedInWarning)
                m_cutNames.append(key);
        }
        HostAnswer refused;
        refused.error = QStringLiteral("the page used more than %1 host names; \"%2\" was not looked up")
                            .arg(m_maxNames)
                            .arg(host);
        answerLater(context, std::move(done), refused);
        return;
    }
    m_names.insert(key, Name { false, {}, { Waiter { context, std::move(done) } } });
    // Asked once, for every waiter; if this object goes first, the resolver drops the request with it.
    m_resolver->lookup(host, timeout, this, [this, key](const HostAnswer &answer) {
        Name &name = m_names[key];
        name.answered = true;
        name.answer = answer;
        const QList<Waiter> waiters = std::exchange(name.waiters, {});
        for (const Waiter &waiter : waiters) {
            if (waiter.context)
                answerLater(waiter.context, waiter.done, answer);
        }
    });
}

QString PinnedResolver::warning() const
{
    if (m_cut.isEmpty())
        return {};
    QString names = m_cutNames.join(QStringLiteral(", "));
    if (m_cut.size() > m_cutNames.size())
        names += QStringLiteral(", …");
    return QStringLiteral("the page used more than %1 host names: %2 more were not looked up and their requests "
                          "failed (%3)")
        .arg(m_maxNames)
        .arg(m_cut.size() < maxCutNamesCounted ? QString::number(m_cut.size())
                                               : QStringLiteral("at least %1").arg(m_cut.size()))
        .arg(names);
}
