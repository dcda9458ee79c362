"""Online marking (网络阅卷): blind by-item marking with double marking and arbitration."""
