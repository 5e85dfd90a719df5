#pragma once

#include <QDialog>

struct TestRecord;

// Two stored tests side by side: each region's medians and their differences (ComparisonModel) above, the two
// tests' waterfalls below. `a` is the older test, so B − A reads as "what changed since". It keeps copies of
// what it shows, so the history may change under it.
class ComparisonDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonDialog)

public:
    ComparisonDialog(const TestRecord &a, const TestRecord &b, QWidget *parent = nullptr);
};
