#pragma once

#include <QImage>
#include <QPointer>
#include <QWidget>

class QLabel;
class WaterfallModel;

// The screenshot the probe took at the end of a page load, for one lane (region, or a step of its script) of a
// WaterfallModel: the page
// load the waterfall shows for it (its run picker's choice), with a caption naming the region, run and view. Without
// a screenshot it says why there is none instead of staying blank.
class ScreenshotView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotView)

public:
    explicit ScreenshotView(QWidget *parent = nullptr);

    // Not owned.
    void setModel(WaterfallModel *model);
    // The region whose screenshot to show; empty: the first lane's. `step`: which step of a script that measures
    // several (RegionRun::stepView's index; 0 is step 1, the page of any other test).
    void setRegion(const QString &code, qsizetype step = 0);
    // What is shown, for tests: the decoded screenshot (null when none) and the caption.
    QImage image() const { return m_image; }
    QString caption() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void refresh();
    void rescale();

    QPointer<WaterfallModel> m_model;
    QString m_region;
    qsizetype m_step = 0;
    QImage m_image;
    QLabel *m_caption;
    QLabel *m_picture;
};
