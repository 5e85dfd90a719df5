#include "firststartpanel.h"

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

FirstStartPanel::FirstStartPanel(QWidget *parent)
    : QWidget(parent)
    , m_catalog(RegionCatalog::builtIn())
    , m_text(new QLabel(this))
    , m_place(new QComboBox(this))
    , m_add(new QPushButton(tr("&Add a region…"), this))
    , m_dismiss(new QPushButton(tr("Not now"), this))
{
    setObjectName(QStringLiteral("firstStartPanel"));
    setAccessibleName(tr("Getting started"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);

    m_place->addItem(tr("Choose a city…"));
    for (const RegionCatalog::Region &city : m_catalog.regions()) {
        if (city.code == u"local")
            continue; // "This computer" is no place
        m_place->addItem(QStringLiteral("%1, %2").arg(city.city, city.country), city.code);
    }
    m_place->setAccessibleName(tr("Where this computer is"));
    connect(m_place, &QComboBox::activated, this, &FirstStartPanel::onPlaceChosen);
    m_add->setToolTip(tr("A probe of yours by its URL, Fly.io machines or Kubernetes pods"));
    connect(m_add, &QPushButton::clicked, this, &FirstStartPanel::addRegionRequested);
    connect(m_dismiss, &QPushButton::clicked, this, [this] {
        m_dismissed = true;
        hide();
    });

    auto *placeRow = new QHBoxLayout;
    auto *placeLabel = new QLabel(tr("This computer is in:"), this);
    placeLabel->setBuddy(m_place);
    placeRow->addWidget(placeLabel);
    placeRow->addWidget(m_place);
    placeRow->addStretch(1);
    placeRow->addWidget(m_add);
    placeRow->addWidget(m_dismiss);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addLayout(placeRow);
    setVisible(false);
}

FirstStartPanel::~FirstStartPanel() = default;

bool FirstStartPanel::isFirstStart(const FleetConfig &config)
{
    return config.regions.isEmpty()
        || (config.regions.size() == 1 && config.regions.constFirst().backendType == u"local");
}

FleetConfig FirstStartPanel::placedAt(FleetConfig config, const RegionCatalog::Region &city)
{
    for (RegionConfig &region : config.regions) {
        if (region.backendType == u"local") {
            region.latitude = city.latitude;
            region.longitude = city.longitude;
        }
    }
    return config;
}

void FirstStartPanel::setConfig(const FleetConfig &config)
{
    m_config = config;
    const bool first = isFirstStart(config);
    setVisible(first && !m_dismissed);
    if (!first)
        return;
    // Where the pin is now, in words: the city it sits on if it is one of the catalog's, else its coordinates.
    QString where;
    m_place->setCurrentIndex(0);
    if (!config.regions.isEmpty()) {
        const RegionConfig &local = config.regions.constFirst();
        for (int i = 1; i < m_place->count(); ++i) {
            const std::optional<RegionCatalog::Region> city = m_catalog.find(m_place->itemData(i).toString());
            if (city && std::abs(city->latitude - local.latitude) < 0.05
                && std::abs(city->longitude - local.longitude) < 0.05) {
                m_place->setCurrentIndex(i);
                where = city->city;
                break;
            }
        }
        if (where.isEmpty())
            where = QStringLiteral("%1, %2").arg(local.latitude, 0, 'f', 2).arg(local.longitude, 0, 'f', 2);
    }
    const QString intro
        = tr("<b>You measure from one region: this computer.</b> A region is a place WorldSpeed loads your page "
             "from, in a real browser, to see what users there wait for. Add regions near your users: a machine of "
             "yours running worldspeed-probe, Fly.io machines or Kubernetes pods.");
    const QString pin = m_place->currentIndex() > 0
        ? tr("This computer's pin is at %1.").arg(where.toHtmlEscaped())
        : tr("This computer's pin is at %1, a guess from the time zone: choose where it is.")
              .arg(where.toHtmlEscaped());
    m_text->setText(intro + QStringLiteral("<br>") + pin);
}

void FirstStartPanel::onPlaceChosen(int index)
{
    const std::optional<RegionCatalog::Region> city = m_catalog.find(m_place->itemData(index).toString());
    if (!city || m_config.regions.isEmpty())
        return;
    emit placed(placedAt(m_config, *city));
}
