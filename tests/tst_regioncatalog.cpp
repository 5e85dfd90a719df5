#include "regioncatalog.h"

#include <QTest>

class tst_RegionCatalog : public QObject
{
    Q_OBJECT

private slots:
    void builtInTable();
    void errorsNameTheField();
};

void tst_RegionCatalog::builtInTable()
{
    const RegionCatalog catalog = RegionCatalog::builtIn();
    QVERIFY(catalog.regions().size() >= 30);
    const auto fra = catalog.find(QStringLiteral("fra"));
    QVERIFY(fra);
    QCOMPARE(fra->city, QStringLiteral("Frankfurt"));
    QVERIFY(std::abs(fra->latitude - 50.11) < 0.01);
    QVERIFY(catalog.find(QStringLiteral("local")));
    QCOMPARE(catalog.continents().first(), QStringLiteral("Local"));
    QVERIFY(catalog.continents().contains(QStringLiteral("Oceania")));
    // Codes are unique.
    QSet<QString> codes;
    for (const auto &region : catalog.regions())
        codes.insert(region.code);
    QCOMPARE(codes.size(), catalog.regions().size());
}

void tst_RegionCatalog::errorsNameTheField()
{
    QString error;
    QVERIFY(!RegionCatalog::fromJson(R"({"regions":[{"code":"x","city":"X","latitude":91,"longitude":0}]})", &error));
    QVERIFY2(error.startsWith(u"regions[0].latitude"), qPrintable(error));
    QVERIFY(!RegionCatalog::fromJson("[]", &error));
}

QTEST_GUILESS_MAIN(tst_RegionCatalog)
#include "tst_regioncatalog.moc"
