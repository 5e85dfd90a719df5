#include "screenshotview.h"

#include "waterfallmodel.h"

#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>

#include <algorithm>

ScreenshotView::ScreenshotView(QWidget *parent)
    : QWidget(parent)
    , m_caption(new QLabel(this))
    , m_picture(new QLabel(this))
{
    setObjectName(QStringLiteral("screenshotView"));
    setAccessibleName(tr("Screenshot of the page"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 0, 0, 0);
    m_caption->setWordWrap(true);
    m_picture->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    m_picture->setMinimumSize(80, 60);
    // The picture follows the pane's size, never the other way round.
    m_picture->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_picture->setWordWrap(true);
    layout->addWidget(m_caption);
    layout->addWidget(m_picture, 1);
    refresh();
}

void ScreenshotView::setModel(WaterfallModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (model) {
        connect(model, &QAbstractItemModel::modelReset, this, &ScreenshotView::refresh);
        connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent) {
            if (!parent.isValid()) // a new lane
                refresh();
        });
        connect(model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex &parent) {
            if (!parent.isValid()) // a step's lane, made again
                refresh();
        });
        connect(model, &QAbstractItemModel::dataChanged, this, &ScreenshotView::refresh);
    }
    refresh();
}

void ScreenshotView::setRegion(const QString &code, qsizetype step)
{
    m_region = code;
    m_step = step;
    refresh();
}

QString ScreenshotView::caption() const
{
    return m_caption->text();
}

void ScreenshotView::refresh()
{
    const int lane = !m_model ? -1
        : m_region.isEmpty()  ? (m_model->laneCount() > 0 ? 0 : -1)
                              : m_model->laneOf(m_region, m_step);
    const QByteArray png = lane >= 0 ? m_model->screenshot(lane) : QByteArray();
    m_image = png.isEmpty() ? QImage() : QImage::fromData(png, "PNG");
    if (lane < 0) {
        m_caption->setText(tr("Screenshot"));
    } else {
        const bool median = m_model->runIndex() == WaterfallModel::RepresentativeRun;
        const QString view = m_model->view() == RunView::First ? tr("first view") : tr("repeat view");
        m_caption->setText(tr("<b>%1</b> · run %2%3 · %4")
                               .arg(m_model->laneTitle(lane).toHtmlEscaped())
                               .arg(m_model->shownRun(lane) + 1)
                               .arg(median ? tr(" (median)") : QString(), view));
    }
    if (m_image.isNull()) {
        m_picture->setPixmap({});
        m_picture->setText(lane < 0 || png.isEmpty()
                ? tr("No screenshot of this page load. Tick “Screenshot” before Go to take one at its end.")
                : tr("The screenshot could not be read."));
    }
    rescale();
}

void ScreenshotView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    rescale();
}

void ScreenshotView::rescale()
{
    if (m_image.isNull())
        return;
    const QSize room = QSize(std::max(1, width() - 4), std::max(1, height() - m_caption->sizeHint().height() - 8))
                           .boundedTo(m_image.size());
    m_picture->setPixmap(QPixmap::fromImage(m_image.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
}
