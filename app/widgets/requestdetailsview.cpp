#include "requestdetailsview.h"

#include "model/displayformat.h"
#include "waterfallgeometry.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QSplitter>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {

using Detail = RequestDetailsView::Detail;
using Phase = WaterfallGeometry::Phase;

QString row(const QString &name, const QString &value)
{
    return QStringLiteral("<tr><td>") + name + QStringLiteral("&nbsp;&nbsp;</td><td>") + value
        + QStringLiteral("</td></tr>");
}

// Finished with its status, failed with why, or not ended; a block by the test's own settings is not a failure of
// the page's: it says so.
QString statusHtml(const RequestTiming &request, bool pending)
{
    QString status;
    switch (request.outcome) {
    case RequestTiming::Outcome::Finished:
        status = request.status ? QString::number(*request.status) : QStringLiteral("?");
        if (!request.statusText.isEmpty())
            status += u' ' + request.statusText.toHtmlEscaped();
        break;
    case RequestTiming::Outcome::Failed:
        status = (request.blocked ? QObject::tr("<b>blocked</b> by the test's settings: ")
                                  : QStringLiteral("<b>failed</b> "))
            + request.failureText.toHtmlEscaped();
        break;
    case RequestTiming::Outcome::Unfinished:
        // Live, it is on its way; stored, it never ended before its run did.
        status = pending ? QObject::tr("<i>still loading</i>") : QStringLiteral("<i>unfinished</i>");
        break;
    }
    if (request.fromCache)
        status += QStringLiteral(" (from cache)");
    return status;
}

QString sizeText(const RequestTiming &request)
{
    QString size;
    if (request.encodedBytes)
        size = DisplayFormat::bytes(*request.encodedBytes) + QStringLiteral(" transferred");
    if (request.decodedBytes)
        size += (size.isEmpty() ? QString() : QStringLiteral(", ")) + DisplayFormat::bytes(*request.decodedBytes)
            + QStringLiteral(" resource");
    return size;
}

// A tool tip is one line: a long URL keeps its start and its end.
QString urlText(const QString &url, Detail detail)
{
    if (detail == Detail::Brief && url.size() > 160)
        return url.left(100) + QChar(0x2026) + url.right(59);
    return url;
}

// "parser — https://host/page.html:12", "script — https://host/app.js:40", "other": who asked for it and where.
QString initiatorText(const RequestInitiator &initiator, Detail detail)
{
    QString where = urlText(initiator.url, detail);
    if (!where.isEmpty() && initiator.line)
        where += u':' + QString::number(*initiator.line);
    return where.isEmpty() ? initiator.type : initiator.type + QStringLiteral(" — ") + where;
}

// Each phase that happened, after a swatch in its bar's colour.
QString phaseRows(const RequestPhases &p)
{
    const std::pair<Phase, std::optional<double>> phases[]
        = { { Phase::Blocked, p.blocked }, { Phase::Dns, p.dns }, { Phase::Connect, p.connect }, { Phase::Ssl, p.ssl },
              { Phase::Send, p.send }, { Phase::Wait, p.wait }, { Phase::Receive, p.receive } };
    QString html;
    for (const auto &[phase, duration] : phases) {
        if (!duration)
            continue;
        const QString swatch = QStringLiteral("<span style='color:")
            + WaterfallGeometry::phaseColor(phase, false).name() + QStringLiteral("'>&#9632;</span> ");
        html += row(swatch + WaterfallGeometry::phaseName(phase), DisplayFormat::duration(duration));
    }
    return html;
}

// The headers as DevTools' Headers tab lists them; brief, the first few with their values shortened.
QString headersHtml(const QString &title, const QList<HttpHeader> &list, Detail detail)
{
    if (list.isEmpty())
        return QString();
    const bool brief = detail == Detail::Brief;
    const qsizetype shown = brief ? std::min<qsizetype>(12, list.size()) : list.size();
    QString text = QStringLiteral("<p><b>") + title + QStringLiteral("</b><br>");
    for (qsizetype i = 0; i < shown; ++i) {
        QString value = list.at(i).value;
        if (brief && value.size() > 100)
            value = value.left(99) + QChar(0x2026);
        text += list.at(i).name.toHtmlEscaped() + QStringLiteral(": ") + value.toHtmlEscaped() + QStringLiteral("<br>");
    }
    if (list.size() > shown)
        text += QStringLiteral("… %1 more").arg(list.size() - shown);
    return text + QStringLiteral("</p>");
}

} // namespace

RequestDetailsView::RequestDetailsView(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Details of the selected request"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    m_close = new QToolButton(this);
    m_close->setObjectName(QStringLiteral("closeRequestDetails"));
    m_close->setText(QStringLiteral("✕"));
    m_close->setToolTip(tr("Close the request's details (Esc)"));
    m_close->setAccessibleName(tr("Close the request's details"));
    m_close->setAutoRaise(true);
    bar->addWidget(m_title, 1);
    bar->addWidget(m_close);
    m_browser = new QTextBrowser(this);
    m_browser->setAccessibleName(tr("The selected request's URL, status, timing and headers"));
    m_browser->setOpenLinks(false);
    // Selectable and copyable, by mouse and by keyboard: a URL or a header is often wanted elsewhere.
    m_browser->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_browser->installEventFilter(this);
    layout->addLayout(bar);
    layout->addWidget(m_browser, 1);
    connect(m_close, &QToolButton::clicked, this, &RequestDetailsView::closeDetails);
    setVisible(false);
}

RequestDetailsView::~RequestDetailsView() = default;

void RequestDetailsView::follow(WaterfallView *view)
{
    if (m_view) {
        disconnect(m_view, nullptr, this, nullptr);
        m_view->removeEventFilter(this);
    }
    m_view = view;
    if (view) {
        connect(view, &WaterfallView::selectionChanged, this, &RequestDetailsView::showSelection);
        view->installEventFilter(this); // Esc in the waterfall closes the pane too
    }
    showSelection();
}

QWidget *RequestDetailsView::placeBelow(WaterfallView *view, QWidget *parent)
{
    auto *column = new QSplitter(Qt::Vertical, parent);
    auto *details = new RequestDetailsView(column);
    column->addWidget(view);
    column->addWidget(details);
    column->setStretchFactor(0, 3);
    column->setStretchFactor(1, 2);
    column->setSizes({ 3 * details->sizeHint().height() / 2, details->sizeHint().height() });
    details->follow(view);
    return column;
}

QSize RequestDetailsView::sizeHint() const
{
    return { 500, fontMetrics().height() * 20 };
}

void RequestDetailsView::showRequest(const QString &region, const RequestTiming &request, bool pending)
{
    m_title->setText(tr("%1 · %2").arg(region, request.url));
    m_browser->setHtml(detailsText(region, request, pending, Detail::Complete));
    setVisible(true);
}

void RequestDetailsView::clearRequest()
{
    m_title->clear();
    m_browser->clear();
    setVisible(false);
}

void RequestDetailsView::showSelection()
{
    WaterfallModel *model = m_view ? m_view->model() : nullptr;
    const QModelIndex selected = m_view ? m_view->selectedRow() : QModelIndex();
    const RequestTiming *request
        = model && selected.isValid() ? model->request(selected.parent().row(), selected.row()) : nullptr;
    if (!request) {
        clearRequest();
        return;
    }
    const int lane = selected.parent().row();
    showRequest(model->region(lane), *request, model->isPending(lane, selected.row()));
}

void RequestDetailsView::closeDetails()
{
    // The pane shows the selection: closing it ends the selection, as DevTools does.
    if (m_view)
        m_view->setSelectedRow(QModelIndex());
    clearRequest();
}

bool RequestDetailsView::eventFilter(QObject *watched, QEvent *event)
{
    // Esc is the window's "cancel the test" shortcut too: while the pane is open, Esc in it or in its waterfall
    // closes the pane first.
    if ((event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) && isVisible()) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier) {
            event->accept();
            if (event->type() == QEvent::KeyPress)
                closeDetails();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void RequestDetailsView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        closeDetails();
        return;
    }
    QWidget::keyPressEvent(event);
}

QString RequestDetailsView::detailsText(
    const QString &region, const RequestTiming &request, bool pending, Detail detail)
{
    const QString url = urlText(request.url, detail);
    QString type = request.resourceType.toHtmlEscaped();
    if (!request.mimeType.isEmpty())
        type += QStringLiteral(" (") + request.mimeType.toHtmlEscaped() + u')';
    // A tool tip as wide as its URL; the pane wraps it at its own width.
    QString html = (detail == Detail::Brief ? QStringLiteral("<p style='white-space:pre'>")
                                            : QStringLiteral("<p style='white-space:pre-wrap'>"))
        + request.method.toHtmlEscaped() + QStringLiteral(" <b>") + url.toHtmlEscaped() + QStringLiteral("</b></p>")
        + QStringLiteral("<table cellspacing='0' cellpadding='0'>")
        + row(QStringLiteral("Region"), region.toHtmlEscaped())
        + row(QStringLiteral("Status"), statusHtml(request, pending)) + row(QStringLiteral("Type"), type);
    if (!request.priority.isEmpty())
        html += row(QStringLiteral("Priority"), request.priority.toHtmlEscaped());
    if (request.initiator.isKnown())
        html += row(QStringLiteral("Initiator"), initiatorText(request.initiator, detail).toHtmlEscaped());
    if (const QString size = sizeText(request); !size.isEmpty())
        html += row(QStringLiteral("Size"), size);
    QString address = request.remoteIp;
    if (request.remotePort && !address.isEmpty())
        address += u':' + QString::number(*request.remotePort);
    if (!request.protocol.isEmpty() || !address.isEmpty())
        html += row(QStringLiteral("Protocol"), QString(request.protocol + u' ' + address).trimmed().toHtmlEscaped());
    if (!request.redirectUrl.isEmpty())
        html += row(QStringLiteral("Redirected to"), request.redirectUrl.toHtmlEscaped());
    html += row(QStringLiteral("Start"), DisplayFormat::duration(request.startMs));
    html += row(QStringLiteral("Duration"),
        request.durationMs ? DisplayFormat::duration(request.durationMs) : QStringLiteral("(not ended)"));
    html += phaseRows(request.phases) + QStringLiteral("</table>");
    html += headersHtml(QStringLiteral("Response headers"), request.responseHeaders, detail);
    html += headersHtml(QStringLiteral("Request headers"), request.requestHeaders, detail);
    return html;
}
