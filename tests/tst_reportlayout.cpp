// The PDF report's pagination, without painting: blocks of given heights laid onto pages of a given height.

#include "reportlayout.h"

#include <QTest>

namespace {

ReportLayout::Block block(double height, double spaceBefore = 0, bool keepWithNext = false, int repeatHeader = -1)
{
    ReportLayout::Block b;
    b.height = height;
    b.spaceBefore = spaceBefore;
    b.keepWithNext = keepWithNext;
    b.repeatHeader = repeatHeader;
    return b;
}

ReportLayout::Block heading(double height)
{
    return block(height, 6, true);
}

// "page:block@top" for each placement, "×scale" when it is drawn smaller.
QStringList describe(const ReportLayout::Pages &pages)
{
    QStringList out;
    for (const ReportLayout::Placement &p : pages.placements) {
        QString text = QStringLiteral("%1:%2@%3").arg(p.page).arg(p.block).arg(p.top);
        if (p.scale != 1)
            text += QStringLiteral("×%1").arg(p.scale);
        out.append(text);
    }
    return out;
}

} // namespace

class tst_ReportLayout : public QObject
{
    Q_OBJECT

private slots:
    void emptyIsOnePage();
    void blocksThatFitShareAPage();
    void aBlockThatDoesNotFitStartsTheNextPage();
    void spaceBeforeIsDroppedAtTheTopOfAPage();
    void aHeadingGoesWithTheBlockAfterIt();
    void headingsChainWithTheirBlock();
    void tableRowsRepeatTheHeader();
    void aBlockTallerThanAPageGetsOneAndShrinks();
    void aBlockTallerThanAPageStaysWithItsHeading();
    void pageCount_data();
    void pageCount();
};

void tst_ReportLayout::emptyIsOnePage()
{
    const ReportLayout::Pages pages = ReportLayout().paginate(100);
    QCOMPARE(pages.count, 1);
    QVERIFY(pages.placements.isEmpty());
}

void tst_ReportLayout::blocksThatFitShareAPage()
{
    ReportLayout layout;
    QCOMPARE(layout.append(block(30)), 0);
    QCOMPARE(layout.append(block(30, 5)), 1);
    QCOMPARE(layout.append(block(35)), 2); // exactly to the bottom
    const ReportLayout::Pages pages = layout.paginate(100);
    QCOMPARE(pages.count, 1);
    QCOMPARE(
        describe(pages), QStringList({ QStringLiteral("0:0@0"), QStringLiteral("0:1@35"), QStringLiteral("0:2@65") }));
}

void tst_ReportLayout::aBlockThatDoesNotFitStartsTheNextPage()
{
    ReportLayout layout;
    layout.append(block(60));
    layout.append(block(50)); // 60 + 50 > 100
    layout.append(block(40));
    const ReportLayout::Pages pages = layout.paginate(100);
    QCOMPARE(pages.count, 2);
    QCOMPARE(
        describe(pages), QStringList({ QStringLiteral("0:0@0"), QStringLiteral("1:1@0"), QStringLiteral("1:2@50") }));
}

void tst_ReportLayout::spaceBeforeIsDroppedAtTheTopOfAPage()
{
    ReportLayout layout;
    layout.append(block(90));
    layout.append(block(20, 8)); // would need 8 + 20 below 90
    layout.append(block(20, 8));
    QCOMPARE(describe(layout.paginate(100)),
        QStringList({ QStringLiteral("0:0@0"), QStringLiteral("1:1@0"), QStringLiteral("1:2@28") }));
}

void tst_ReportLayout::aHeadingGoesWithTheBlockAfterIt()
{
    ReportLayout layout;
    layout.append(block(70));
    layout.append(heading(10)); // fits (6 + 10), but its block would not
    layout.append(block(30));
    const ReportLayout::Pages pages = layout.paginate(100);
    QCOMPARE(pages.count, 2);
    QCOMPARE(
        describe(pages), QStringList({ QStringLiteral("0:0@0"), QStringLiteral("1:1@0"), QStringLiteral("1:2@10") }));
}

void tst_ReportLayout::headingsChainWithTheirBlock()
{
    // A heading, a legend that keeps with the next too, then the first waterfall: all three move together.
    ReportLayout layout;
    layout.append(block(60));
    layout.append(heading(10));
    layout.append(block(5, 0, true));
    layout.append(block(25, 4));
    QCOMPARE(describe(layout.paginate(100)),
        QStringList(
            { QStringLiteral("0:0@0"), QStringLiteral("1:1@0"), QStringLiteral("1:2@10"), QStringLiteral("1:3@19") }));
}

void tst_ReportLayout::tableRowsRepeatTheHeader()
{
    ReportLayout layout;
    layout.append(block(40));
    const int header = layout.append(block(10, 0, true));
    for (int i = 0; i < 5; ++i)
        layout.append(block(20, 0, false, header));
    // Page 1: 40 + header 10 + two rows (80); the third row starts page 2 below the header again.
    const ReportLayout::Pages pages = layout.paginate(100);
    QCOMPARE(pages.count, 2);
    QCOMPARE(describe(pages),
        QStringList({ QStringLiteral("0:0@0"), QStringLiteral("0:1@40"), QStringLiteral("0:2@50"),
            QStringLiteral("0:3@70"), QStringLiteral("1:1@0"), QStringLiteral("1:4@10"), QStringLiteral("1:5@30"),
            QStringLiteral("1:6@50") }));
}

void tst_ReportLayout::aBlockTallerThanAPageGetsOneAndShrinks()
{
    ReportLayout layout;
    layout.append(block(30));
    layout.append(block(250, 5)); // two and a half pages of text
    layout.append(block(30, 5));
    const ReportLayout::Pages pages = layout.paginate(100);
    QCOMPARE(pages.count, 3);
    QCOMPARE(describe(pages),
        QStringList({ QStringLiteral("0:0@0"), QStringLiteral("1:1@0×0.4"), QStringLiteral("2:2@0") }));
    // Drawn at 0.4, it ends exactly at the bottom of its page: never over the footer.
    const ReportLayout::Placement &tall = pages.placements.at(1);
    QCOMPARE(tall.top + 250 * tall.scale, 100.0);
}

void tst_ReportLayout::aBlockTallerThanAPageStaysWithItsHeading()
{
    ReportLayout layout;
    layout.append(block(50));
    layout.append(heading(20));
    layout.append(block(160, 4));
    const ReportLayout::Pages pages = layout.paginate(100);
    QCOMPARE(pages.count, 2);
    // The heading moves to a page of its own with the block, which shrinks into the 76 left below it.
    QCOMPARE(describe(pages),
        QStringList({ QStringLiteral("0:0@0"), QStringLiteral("1:1@0"), QStringLiteral("1:2@24×0.475") }));
}

void tst_ReportLayout::pageCount_data()
{
    QTest::addColumn<int>("blocks");
    QTest::addColumn<double>("height");
    QTest::addColumn<int>("pages");
    QTest::newRow("one") << 1 << 30.0 << 1;
    QTest::newRow("three per page, exactly") << 9 << 33.0 << 3; // 3 × 33 = 99
    QTest::newRow("three per page, one over") << 10 << 33.0 << 4;
    QTest::newRow("one per page") << 4 << 60.0 << 4;
}

void tst_ReportLayout::pageCount()
{
    QFETCH(int, blocks);
    QFETCH(double, height);
    QFETCH(int, pages);
    ReportLayout layout;
    for (int i = 0; i < blocks; ++i)
        layout.append(block(height));
    const ReportLayout::Pages result = layout.paginate(100);
    QCOMPARE(result.count, pages);
    QCOMPARE(result.placements.size(), blocks);
    QCOMPARE(result.placements.constLast().page, pages - 1);
}

QTEST_APPLESS_MAIN(tst_ReportLayout)
#include "tst_reportlayout.moc"
