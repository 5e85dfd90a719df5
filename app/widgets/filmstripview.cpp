#include "filmstripview.h"

#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>

namespace {

// The cursor's line across the waterfall: a transparent child of its viewport that lets every event through.
class CursorOverlay final : public QWidget
{
public:
    explicit CursorOverlay(QWidget *viewport)
        : QWidget(viewport)
    {
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
        setGeometry(viewport->rect());
        show();
    }
    std::optional<double> x;

protected:
    void paintEvent(QPaintEvent *) override
    {
        if (!x)
            return;
        QPainter painter(this);
        painter.setPen(QPen(Theme(palette()).link(), 1));
        painter.drawLine(QPointF(*x, 0), QPointF(*x, height()));
    }
};

} // namespace

FilmstripView::FilmstripView(WaterfallView *waterfall, QWidget *parent)
    : QWidget(parent)
    , m_waterfall(waterfall)
    , m_viewport(waterfall->viewport())
{
    setObjectName(QStringLiteral("filmstripView"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_overlay = new CursorOverlay(waterfall->viewport());
    waterfall->viewport()->installEventFilter(this);
    waterfall->viewport()->setMouseTracking(true);
    setVisible(false);
}

FilmstripView::~FilmstripView() = default;

void FilmstripView::setTest(const TestRecord &test)
{
    if (test.id != m_test.id || test.url != m_test.url)
        m_frames.clear();
    m_test = test;
    refit();
}

void FilmstripView::clear()
{
    setTest(TestRecord {});
}

const FilmstripPainter::Frames *FilmstripView::framesOf(int lane) const
{
    const WaterfallModel *model = m_waterfall ? m_waterfall->model() : nullptr;
    if (!model)
        return nullptr;
    const QString region = model->region(lane);
    const RegionRecord record = m_test.region(region);
    const int shown = model->shownRun(lane);
    const RegionRun *run = shown >= 0 ? record.run(shown + 1) : nullptr;
    // A lane of a script's later step shows that step's page load, which has its own strip.
    const qsizetype step = model->step(lane);
    const ViewResult *view = !run ? nullptr
        : step > 0                ? (step < run->stepCount() ? &run->stepView(step) : nullptr)
                                  : run->view(model->view());
    if (!view || view->filmstrip.isEmpty())
        return nullptr;
    const QString key
        = QStringLiteral("%1/%2/%3/%4").arg(region).arg(run->index).arg(runViewName(model->view())).arg(step);
    auto found = m_frames.find(key);
    // A live view's strip arrives once, whole; a stored one never changes: decoding once per key is enough.
    if (found == m_frames.end())
        found = m_frames.insert(key, FilmstripPainter::decode(view->filmstrip));
    return found->isEmpty() ? nullptr : &*found;
}

int FilmstripView::rowHeight() const
{
    return int(std::ceil(FilmstripPainter(Theme(palette()), font(), this, 1).height(thumbnailHeight))) + 4;
}

QList<FilmstripView::Strip> FilmstripView::strips() const
{
    QList<Strip> result;
    if (!m_waterfall || !m_waterfall->model())
        return result;
    const WaterfallModel *model = m_waterfall->model();
    const WaterfallGeometry g = m_waterfall->layoutGeometry();
    // Viewport x → our x: the two widgets sit one above the other, but need not start at the same x.
    const double dx = m_waterfall->viewport()->mapToGlobal(QPoint(0, 0)).x() - mapToGlobal(QPoint(0, 0)).x();
    int row = 0;
    for (int lane = 0; lane < g.laneCount() && lane < model->laneCount(); ++lane) {
        const FilmstripPainter::Frames *frames = framesOf(lane);
        if (!frames)
            continue;
        const QRectF bars = g.barArea(lane);
        const WaterfallScale scale = g.scale(lane);
        Strip strip;
        strip.lane = lane;
        strip.frames = frames;
        strip.axis = { scale.originX + dx, scale.pxPerMs, g.spanMs };
        const double top = g.mode == WaterfallGeometry::LayoutMode::Stacked ? row++ * rowHeight() : 0;
        strip.rect = QRectF(g.laneRect(lane).left() + dx, top, g.laneRect(lane).width(), rowHeight());
        strip.rect.setLeft(std::max(strip.rect.left(), bars.left() + dx - 1));
        result.append(strip);
    }
    return result;
}

int FilmstripView::stripCount() const
{
    return int(strips().size());
}

void FilmstripView::refit()
{
    const QList<Strip> all = strips();
    int rows = all.isEmpty() ? 0 : 1;
    if (m_waterfall && m_waterfall->layoutMode() == WaterfallGeometry::LayoutMode::Stacked)
        rows = int(all.size());
    setFixedHeight(rows * rowHeight());
    setVisible(rows > 0);
    update();
}

QSize FilmstripView::sizeHint() const
{
    return { 400, height() };
}

void FilmstripView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const Theme theme(palette());
    const FilmstripPainter filmstrip(theme, font(), this, 1);
    const WaterfallModel *model = m_waterfall ? m_waterfall->model() : nullptr;
    for (const Strip &strip : strips()) {
        filmstrip.paint(painter, strip.rect.adjusted(0, 2, 0, -2), *strip.frames, strip.axis, m_cursorMs);
        if (model && m_waterfall->layoutMode() == WaterfallGeometry::LayoutMode::Stacked) {
            // Stacked lanes share one column of labels: say whose strip this is (and which step, for a script's).
            const qsizetype step = model->step(strip.lane);
            const bool steps = step > 0 || model->laneOf(model->region(strip.lane), 1) >= 0;
            painter.setPen(theme.muted());
            painter.drawText(QRectF(0, strip.rect.top(), strip.axis.originX - 8, strip.rect.height()),
                Qt::AlignRight | Qt::AlignVCenter,
                steps ? tr("%1 · step %2").arg(model->region(strip.lane)).arg(step + 1) : model->region(strip.lane));
        }
    }
}

std::optional<double> FilmstripView::msAt(double x)
{
    for (const Strip &strip : strips()) {
        if (x >= strip.rect.left() && x <= strip.rect.right() && x >= strip.axis.originX) {
            m_cursorLane = strip.lane;
            return (x - strip.axis.originX) / strip.axis.pxPerMs;
        }
    }
    return std::nullopt;
}

void FilmstripView::setCursorMs(std::optional<double> ms)
{
    if (ms == m_cursorMs)
        return;
    m_cursorMs = ms;
    auto *overlay = static_cast<CursorOverlay *>(m_overlay);
    overlay->x.reset();
    if (ms && m_waterfall) {
        // Side by side every lane has an axis of its own: the line goes across the lane the mouse is in.
        const WaterfallGeometry g = m_waterfall->layoutGeometry();
        if (m_cursorLane >= 0 && m_cursorLane < g.laneCount())
            overlay->x = g.scale(m_cursorLane).x(*ms);
    }
    m_overlay->update();
    update();
}

void FilmstripView::mouseMoveEvent(QMouseEvent *event)
{
    setCursorMs(msAt(event->position().x()));
}

void FilmstripView::leaveEvent(QEvent *)
{
    setCursorMs(std::nullopt);
}

bool FilmstripView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_viewport || m_waterfall.isNull()) // isNull(): no cast of a waterfall being destroyed
        return false;
    switch (event->type()) {
    case QEvent::Resize:
        m_overlay->setGeometry(m_viewport->rect());
        refit();
        break;
    case QEvent::Paint:
        // The waterfall relaid itself out (a new span, a scroll, a new lane): follow it after its paint.
        if (!m_refitQueued) {
            m_refitQueued = true;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_refitQueued = false;
                    refit();
                },
                Qt::QueuedConnection);
        }
        break;
    case QEvent::MouseMove: {
        const double x = static_cast<QMouseEvent *>(event)->position().x();
        const WaterfallGeometry g = m_waterfall->layoutGeometry();
        std::optional<double> ms;
        for (int lane = 0; lane < g.laneCount(); ++lane) {
            if (g.barArea(lane).left() <= x && x <= g.barArea(lane).right()) {
                m_cursorLane = lane;
                ms = g.scale(lane).ms(x);
            }
        }
        setCursorMs(ms);
        break;
    }
    case QEvent::Leave:
        setCursorMs(std::nullopt);
        break;
    default:
        break;
    }
    return false;
}
