"""Training classes (lớp tập huấn): an organiser schedules a class, learners join it with a short
code (printed on a join sheet with a QR code), the trainer follows it live and prints the
attendance and results sheet afterwards."""
