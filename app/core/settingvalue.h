#pragma once

#include <QSettings>
#include <QString>
#include <QVariant>

// One setting of the app: its key, its type and the value it has until someone sets it, declared together (see
// AppSettings), so no caller spells a key or repeats a default. It reads and writes the QSettings it was made with,
// which outlives it.
template<typename T> class SettingValue final
{
    Q_DISABLE_COPY_MOVE(SettingValue)

public:
    SettingValue(QSettings &settings, const QString &key, const T &defaultValue = T())
        : m_settings(settings)
        , m_key(key)
        , m_default(defaultValue)
    { }

    QString key() const { return m_key; }
    T defaultValue() const { return m_default; }
    // What was set, else the default.
    T value() const { return m_settings.value(m_key, QVariant::fromValue(m_default)).template value<T>(); }
    void setValue(const T &value) { m_settings.setValue(m_key, QVariant::fromValue(value)); }
    // Back to the default, with the key gone from the file.
    void remove() { m_settings.remove(m_key); }

private:
    QSettings &m_settings;
    const QString m_key;
    const T m_default;
};
