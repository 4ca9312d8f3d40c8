"""The working-day calendar the centre maintains: holidays and make-up working days entered
from the State Council's annual notice, over and beyond the `chinese-calendar` library."""
