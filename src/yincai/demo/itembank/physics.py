"""Templates for 初中物理 calculations: speed, density, pressure, buoyancy, work and power,
machines, heat and Ohm's law. Numbers are drawn so that answers come out exact."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    Step,
    dec,
    pick,
    randint,
    registrar,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
G = 10  # N/kg, as junior-high problems take it


def _unit(value: Fraction | int, unit: str) -> str:
    return f"${dec(value)}$ {unit}"


def _near(value: Fraction | int, unit: str, factors: tuple[Fraction | int, ...]) -> list[str]:
    return [_unit(Fraction(value) * f, unit) for f in factors]


@register("速度的计算")
def _speed(rng: np.random.Generator) -> Draft:
    v, t = randint(rng, 2, 9) * 5, randint(rng, 2, 12) * 10
    s = v * t
    question = f"一辆汽车在平直公路上匀速行驶，${t}$ s 内通过的路程是 ${s}$ m，它的速度是"
    wrong = [*_near(v, "m/s", (Fraction(1, 10), 10)), _unit(Fraction(v * 36, 10), "m/s")]
    return value_draft(rng, question, _unit(v, "m/s"), wrong, difficulty=-0.6)


@register("速度的计算")
def _trip(rng: np.random.Generator) -> Draft:
    distance, speed = randint(rng, 6, 18) * 10, pick(rng, (60, 80, 90, 120))
    hours = Fraction(distance, speed)
    steps = (
        Step(
            f"由 $v=\\frac{{s}}{{t}}$ 得 "
            f"$t=\\frac{{s}}{{v}}=\\frac{{{distance}\\ km}}{{{speed}\\ km/h}}$",
            "公式变形",
            2,
        ),
        Step(f"$t={dec(hours)}$ h", "代入计算", 2),
        Step(f"合 ${dec(hours * 60)}$ min", "单位换算", 2),
    )
    stem = f"一列动车以 ${speed}$ km/h 的速度匀速行驶 ${distance}$ km，需要多少小时？合多少分钟？"
    return SolutionDraft(stem, steps, difficulty=0.0)


@register("密度的计算")
def _density(rng: np.random.Generator) -> Draft:
    rho, volume = (
        pick(rng, ((Fraction(27, 10), "铝"), (Fraction(79, 10), "铁"), (Fraction(89, 10), "铜"))),
        randint(rng, 2, 9) * 10,
    )
    mass = rho[0] * volume
    question = f"一个实心{rho[1]}块的质量为 ${dec(mass)}$ g，体积为 ${volume}$ cm$^3$，它的密度是"
    answer = f"${dec(rho[0])}$ g/cm$^3$"
    wrong = [
        f"${dec(rho[0] * 10)}$ g/cm$^3$",
        f"${dec(1 / rho[0] * 10)}$ g/cm$^3$",
        f"${dec(rho[0] / 10)}$ g/cm$^3$",
    ]
    return value_draft(rng, question, answer, wrong, difficulty=-0.3)


@register("密度的计算")
def _bottle(rng: np.random.Generator) -> Draft:
    volume = randint(rng, 3, 8) * 100
    oil = Fraction(8, 10)
    steps = (
        Step(
            f"瓶的容积 $V=\\frac{{m_水}}{{\\rho_水}}="
            f"\\frac{{{volume}\\ g}}{{1\\ g/cm^3}}={volume}$ cm$^3$",
            "求容积",
            3,
        ),
        Step(
            f"装满油的质量 $m=\\rho_油 V={dec(oil)}\\times{volume}={dec(oil * volume)}$ g",
            "求质量",
            3,
        ),
    )
    stem = f"一个空瓶最多能装 ${volume}$ g 水，用它装满密度为 $0.8$ g/cm$^3$ 的食用油，能装多少克？"
    return SolutionDraft(stem, steps, difficulty=0.3)


@register("压力与固体压强")
def _pressure(rng: np.random.Generator) -> Draft:
    mass, area = (
        randint(rng, 4, 9) * 10,
        pick(rng, (Fraction(1, 50), Fraction(1, 25), Fraction(1, 20))),
    )
    pressure = mass * G / area
    question = (
        f"质量为 ${mass}$ kg 的学生双脚站立，与地面的总接触面积为 "
        f"${dec(area)}$ m$^2$，他对地面的压强是（$g$ 取 $10$ N/kg）"
    )
    wrong = _near(pressure, "Pa", (Fraction(1, 10), Fraction(1, 2), 2))
    return value_draft(rng, question, _unit(pressure, "Pa"), wrong, difficulty=0.0)


@register("液体的压强")
def _depth(rng: np.random.Generator) -> Draft:
    depth = randint(rng, 2, 30)
    pressure = 1000 * G * depth
    question = (
        f"潜水员潜到水下 ${depth}$ m 深处，水对他的压强是（$\\rho_水=1.0\\times10^3$ "
        f"kg/m$^3$，$g$ 取 $10$ N/kg）"
    )
    wrong = _near(pressure, "Pa", (Fraction(1, 10), 10, Fraction(1, 1000)))
    return value_draft(rng, question, _unit(pressure, "Pa"), wrong, difficulty=0.1)


@register("阿基米德原理")
def _buoyancy(rng: np.random.Generator) -> Draft:
    volume = randint(rng, 1, 9) * 100  # cm^3
    force = Fraction(1000 * G * volume, 10**6)
    question = f"体积为 ${volume}$ cm$^3$ 的铁块浸没在水中，它受到的浮力是（$g$ 取 $10$ N/kg）"
    wrong = _near(force, "N", (10, 100, Fraction(1, 10)))
    return value_draft(rng, question, _unit(force, "N"), wrong, difficulty=0.3)


@register("阿基米德原理")
def _weighing(rng: np.random.Generator) -> Draft:
    weight, reading = randint(rng, 5, 12), Fraction(randint(rng, 2, 4))
    force = weight - reading
    volume = force / (1000 * G)
    steps = (
        Step(f"$F_浮=G-F_示={weight}\\ N-{dec(reading)}\\ N={dec(force)}$ N", "称重法求浮力", 3),
        Step(
            f"$V=V_排=\\frac{{F_浮}}{{\\rho_水 g}}={dec(volume * 10**6)}\\times10^{{-6}}$ m$^3$",
            "阿基米德原理求体积",
            4,
        ),
    )
    stem = (
        f"用弹簧测力计测得一金属块重 ${weight}$ N，"
        f"将它浸没在水中时测力计的示数为 ${dec(reading)}$ N。"
        "求：（1）金属块受到的浮力；（2）金属块的体积。（$g$ 取 $10$ N/kg）"
    )
    return SolutionDraft(stem, steps, difficulty=0.5)


@register("功的计算")
def _work(rng: np.random.Generator) -> Draft:
    force, distance = randint(rng, 2, 10) * 10, randint(rng, 2, 9)
    question = f"用 ${force}$ N 的水平拉力使物体沿水平方向移动 ${distance}$ m，拉力做的功是"
    wrong = [_unit(force + distance, "J"), _unit(Fraction(force, distance), "J"), _unit(0, "J")]
    return value_draft(rng, question, _unit(force * distance, "J"), wrong, difficulty=-0.3)


@register("功率的计算")
def _power(rng: np.random.Generator) -> Draft:
    mass, height, seconds = randint(rng, 4, 6) * 10, randint(rng, 3, 9), pick(rng, (10, 12, 15, 20))
    work = mass * G * height
    power = Fraction(work, seconds)
    steps = (
        Step(f"$W=Gh=mgh={mass}\\times10\\times{height}={work}$ J", "求功", 3),
        Step(
            f"$P=\\frac{{W}}{{t}}=\\frac{{{work}\\ J}}{{{seconds}\\ s}}={dec(power)}$ W",
            "求功率",
            3,
        ),
    )
    stem = (
        f"质量为 ${mass}$ kg 的同学用 ${seconds}$ s 从一楼走到 "
        f"${height}$ m 高的楼上，他克服重力做功多少？功率多大？（$g$ 取 $10$ N/kg）"
    )
    return SolutionDraft(stem, steps, difficulty=0.2)


@register("杠杆的平衡条件")
def _lever(rng: np.random.Generator) -> Draft:
    f1, l1 = randint(rng, 2, 8) * 5, randint(rng, 2, 6) * 10
    l2 = pick(rng, [d for d in (10, 20, 25, 40, 50) if d != l1])
    f2 = Fraction(f1 * l1, l2)
    question = f"杠杆平衡时，动力为 ${f1}$ N，动力臂为 ${l1}$ cm，阻力臂为 ${l2}$ cm，则阻力为"
    wrong = [_unit(Fraction(f1 * l2, l1), "N"), _unit(f1, "N"), _unit(f2 * 2, "N")]
    return value_draft(rng, question, _unit(f2, "N"), wrong, difficulty=0.0)


@register("机械效率")
def _efficiency(rng: np.random.Generator) -> Draft:
    weight, height = randint(rng, 3, 9) * 100, randint(rng, 2, 6)
    pull = Fraction(weight, 2) + randint(rng, 2, 8) * 10
    useful, total = weight * height, pull * 2 * height
    steps = (
        Step(f"有用功 $W_有=Gh={weight}\\times{height}={useful}$ J", "有用功", 2),
        Step(
            f"绳端移动 $s=2h={2 * height}$ m，总功 "
            f"$W_总=Fs={dec(pull)}\\times{2 * height}={dec(total)}$ J",
            "总功",
            3,
        ),
        Step(
            f"$\\eta=\\frac{{W_有}}{{W_总}}\\approx"
            f"{dec(round(Fraction(useful, 1) / total * 1000) / Fraction(10))}\\%$",
            "机械效率",
            3,
        ),
        Step("额外功来自动滑轮重和摩擦，增加物重可提高机械效率", "分析提高效率的方法", 2),
    )
    stem = (
        f"用一个动滑轮（承担物重的绳子 $2$ 段）将重 ${weight}$ N "
        f"的货物匀速提升 ${height}$ m，绳端拉力为 ${dec(pull)}$ N。"
        "求有用功、总功和机械效率，并说出提高该滑轮机械效率的一种方法。"
    )
    return SolutionDraft(stem, steps, difficulty=0.7)


@register("比热容与热量计算")
def _heat(rng: np.random.Generator) -> Draft:
    masses = (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(5))
    mass, rise = pick(rng, masses), randint(rng, 2, 8) * 10
    heat = Fraction(42, 10) * 10**3 * mass * rise
    question = (
        f"质量为 ${dec(mass)}$ kg 的水温度升高 ${rise}$ ℃，"
        f"吸收的热量是（$c_水=4.2\\times10^3$ J/(kg·℃)）"
    )
    wrong = _near(heat, "J", (Fraction(1, 10), 10, Fraction(1, 2)))
    return value_draft(rng, question, _unit(heat, "J"), wrong, difficulty=0.2)


@register("热机的效率")
def _engine(rng: np.random.Generator) -> Draft:
    fuel, useful_share = (
        pick(rng, (Fraction(1, 10), Fraction(1, 5), Fraction(1, 2))),
        pick(rng, (25, 30, 40)),
    )
    heat = fuel * Fraction(46, 10) * 10**7
    useful = heat * useful_share / 100
    steps = (
        Step(f"$Q_放=mq={dec(fuel)}\\times4.6\\times10^7={dec(heat)}$ J", "燃料放热", 3),
        Step(
            f"$W=\\eta Q_放={useful_share}\\%\\times{dec(heat)}={dec(useful)}$ J", "有用的能量", 3
        ),
    )
    stem = (
        f"完全燃烧 ${dec(fuel)}$ kg 汽油（$q=4.6\\times10^7$ "
        f"J/kg），放出多少热量？若汽油机的效率为 ${useful_share}\\%$，能做多少有用功？"
    )
    return SolutionDraft(stem, steps, difficulty=0.5)


@register("欧姆定律的计算")
def _ohm(rng: np.random.Generator) -> Draft:
    resistance, current = (
        pick(rng, (5, 10, 12, 20, 30)),
        pick(rng, (Fraction(1, 5), Fraction(3, 10), Fraction(1, 2))),
    )
    voltage = resistance * current
    question = (
        f"一个定值电阻的阻值为 ${resistance}$ Ω，通过它的电流为 ${dec(current)}$ A，它两端的电压是"
    )
    wrong = [
        _unit(Fraction(resistance) / current, "V"),
        _unit(current / resistance, "V"),
        _unit(resistance + current, "V"),
    ]
    return value_draft(rng, question, _unit(voltage, "V"), wrong, difficulty=0.0)


@register("欧姆定律的计算")
def _series(rng: np.random.Generator) -> Draft:
    r1, r2 = pick(rng, (5, 10, 15)), pick(rng, (10, 20, 30))
    voltage = pick(rng, (3, 6, 9, 12))
    current = Fraction(voltage, r1 + r2)
    steps = (
        Step(f"串联总电阻 $R=R_1+R_2={r1}+{r2}={r1 + r2}$ Ω", "串联电阻", 2),
        Step(
            f"$I=\\frac{{U}}{{R}}=\\frac{{{voltage}\\ V}}{{{r1 + r2}\\ Ω}}={dec(current)}$ A",
            "欧姆定律求电流",
            3,
        ),
        Step(f"$U_1=IR_1={dec(current * r1)}$ V", "求分电压", 3),
        Step(
            f"$U_2=U-U_1={dec(voltage - current * r1)}$ V，串联电路中电压之比等于电阻之比",
            "串联分压规律",
            2,
        ),
    )
    stem = (
        f"电阻 $R_1={r1}$ Ω 与 $R_2={r2}$ Ω 串联接在电压为 ${voltage}$ V 的电源上。"
        "求电路中的电流、$R_1$ 和 $R_2$ 两端的电压，并说明两电压之比与电阻的关系。"
    )
    return SolutionDraft(stem, steps, difficulty=0.8)


@register("串并联电路的电阻")
def _parallel(rng: np.random.Generator) -> Draft:
    r1, r2 = pick(rng, ((6, 3), (12, 6), (10, 10), (20, 30), (4, 12)))
    total = Fraction(r1 * r2, r1 + r2)
    question = f"$R_1={r1}$ Ω 与 $R_2={r2}$ Ω 并联后的总电阻是"
    wrong = [_unit(r1 + r2, "Ω"), _unit(abs(r1 - r2) or 5, "Ω"), _unit(total * 2, "Ω")]
    return value_draft(rng, question, _unit(total, "Ω"), wrong, difficulty=0.3)


@register("电功率的计算")
def _electric_power(rng: np.random.Generator) -> Draft:
    voltage, power = 220, pick(rng, (40, 100, 440, 880, 1100))
    current = Fraction(power, voltage)
    question = f"一个标有“${voltage}$ V　${power}$ W”的用电器正常工作时，通过它的电流是"
    wrong = [
        _unit(Fraction(voltage, power), "A"),
        _unit(current * 10, "A"),
        _unit(Fraction(power * voltage, 1000), "A"),
    ]
    return value_draft(rng, question, _unit(current, "A"), wrong, difficulty=0.1)
