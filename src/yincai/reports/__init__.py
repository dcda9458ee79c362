"""Documents for print: exam and student reports and practice booklets as PDF (WeasyPrint),
with the packaged Noto Sans SC font, mathtext maths as SVG and matplotlib charts."""
