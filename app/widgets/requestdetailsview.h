#pragma once

#include "model/requesttiming.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QTextBrowser;
class QToolButton;
class WaterfallView;

// The selected request of a waterfall, as DevTools' details pane shows it: URL, status, type, priority, initiator,
// protocol and address, sizes, each timing phase in its bar's colour, the request and response headers (masked
// values come masked from the probe), and whether it failed, was blocked by the test's settings or is still
// loading. Unlike the waterfall's tool tip it stays, and its text can be selected and copied. It follows one
// WaterfallView: it shows its selected row, clears with the selection, and its close button or Esc hides it by
// clearing the selection.
class RequestDetailsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestDetailsView)

public:
    // How much detailsText() tells: a tool tip is no scroll area, so it shortens the URL and the headers.
    enum class Detail { Brief, Complete };

    explicit RequestDetailsView(QWidget *parent = nullptr);
    ~RequestDetailsView() override;

    // Shows the selected row of `view` from now on. Not owned.
    void follow(WaterfallView *view);
    // The waterfall and this pane below it, in a splitter owned by `parent`: the one way a window places them.
    static QWidget *placeBelow(WaterfallView *view, QWidget *parent);

    void showRequest(const QString &region, const RequestTiming &request, bool pending);
    void clearRequest();

    QTextBrowser *browser() const { return m_browser; }
    // Tall enough for the status, sizes and timing rows without scrolling.
    QSize sizeHint() const override;
    QToolButton *closeButton() const { return m_close; }

    // The details as rich text, for this pane and the waterfall's tool tip alike; `pending`: the request is still
    // loading.
    static QString detailsText(
        const QString &region, const RequestTiming &request, bool pending = false, Detail detail = Detail::Brief);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void showSelection();
    void closeDetails();

    QPointer<WaterfallView> m_view;
    QLabel *m_title = nullptr;
    QToolButton *m_close = nullptr;
    QTextBrowser *m_browser = nullptr;
};
