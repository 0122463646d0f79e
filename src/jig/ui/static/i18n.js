// Interface strings in English, Russian and Arabic. Arabic switches the page to right-to-left.
"use strict";
const STRINGS = {
  en: {
    "panel.received": "received {at}", "panel.reasoning": "Reasoning, step by step", "panel.inapplicable": "Clauses that do not apply",
    "count.of": "{n} of {m} incidents shown", "count.cells": "{n} of {m} incidents shown as points; all {m} are counted in the circles (zoom in to see them one by one)",
    "time.play": "Play", "time.stop": "Stop", "time.all": "Whole period", "time.period": "{from} to {to}",
    "list.search": "Search id or text", "list.sort": "Sort by", "list.by_time": "time", "list.by_id": "id", "list.by_verdict": "verdict",
    "list.view": "{n} in view", "list.filtered": "{k} of {n} in view match", "list.cells": "Too many to list: zoom in, or click a circle to list its incidents",
    "list.cell": "{n} incidents in this cell", "list.cell.first": "the first {k} of {n} incidents in this cell", "list.cluster": "{n} incidents in this cluster",
    "view.map": "Map", "view.agreement": "Agreement", "view.air": "Air desk",
    "lang": "Language", "signin.token": "Token", "signin.go": "Sign in",
    "filter.day": "Agreement as on", "filter.from": "Incidents from", "filter.to": "to",
    "filter.verdict": "Verdict", "filter.clause": "Clause", "filter.actor": "Actor",
    "filter.source": "Source", "filter.grade": "Grade", "filter.apply": "Apply",
    "filter.any": "any", "air.party": "Air desk of",
    "count": "{n} incidents shown", "count.more": "{n} incidents shown (zoom in for more)",
    "tz": "Dates in {tz}", "panel.findings": "Findings", "panel.record": "Record",
    "panel.review": "Review", "panel.none": "No review.", "panel.evidence": "Evidence",
    "panel.history": "Verdicts recorded", "panel.sources": "Source records", "action.release": "Release to the joint centre",
    "action.open": "Open a review", "action.answer": "Answer", "action.determine": "Sign determination",
    "action.publish": "Publish", "signed.as": "{name}, {role}",
    "verdict.breach": "breach", "verdict.undetermined": "undetermined", "verdict.excepted": "excepted",
    "verdict.complies": "complies", "verdict.not_applicable": "not applicable",
    "agreement.parties": "Parties", "agreement.clauses": "Clauses", "agreement.exceptions": "Exceptions",
    "agreement.versions": "Versions", "agreement.compare": "Compare with",
    "agreement.changed": "Changed between versions", "air.none": "No conflicts.",
    "air.alert": "{notice}: {party} flies within the minima at {where}, {when}",
    "legend.zone": "zone", "legend.site": "protected site", "legend.target": "agreed target",
    "legend.unagreed": "target not agreed by all",
    "release.title": "Release {id} to the joint centre", "release.withhold": "withhold",
    "release.judged": "judged: always shown", "release.preview": "What the other side will see",
    "release.confirm": "I have checked what the other side will see", "release.go": "Release",
    "release.cancel": "Cancel", "release.previous": "Withheld as in the previous release",
    "release.first": "First release: every field that is not judged is withheld unless you untick it",
  },
  ru: {
    "panel.received": "получено {at}", "panel.reasoning": "Рассуждение по шагам", "panel.inapplicable": "Неприменимые пункты",
    "count.of": "Показано инцидентов: {n} из {m}", "count.cells": "Точками показано {n} из {m}; все {m} подсчитаны в кругах (увеличьте масштаб, чтобы увидеть каждый)",
    "time.play": "Воспроизвести", "time.stop": "Стоп", "time.all": "Весь период", "time.period": "с {from} по {to}",
    "list.search": "Поиск по номеру или тексту", "list.sort": "Сортировать по", "list.by_time": "времени", "list.by_id": "номеру", "list.by_verdict": "вердикту",
    "list.view": "В поле зрения: {n}", "list.filtered": "Совпадает {k} из {n}", "list.cells": "Слишком много для списка: увеличьте масштаб или нажмите на круг",
    "list.cell": "Инцидентов в этой ячейке: {n}", "list.cell.first": "первые {k} из {n} инцидентов в этой ячейке", "list.cluster": "Инцидентов в этой группе: {n}",
    "view.map": "Карта", "view.agreement": "Соглашение", "view.air": "Воздушная обстановка",
    "lang": "Язык", "signin.token": "Токен", "signin.go": "Войти",
    "filter.day": "Соглашение на дату", "filter.from": "Инциденты с", "filter.to": "по",
    "filter.verdict": "Вердикт", "filter.clause": "Пункт", "filter.actor": "Субъект",
    "filter.source": "Источник", "filter.grade": "Оценка", "filter.apply": "Применить",
    "filter.any": "любой", "air.party": "Пост стороны",
    "count": "Показано инцидентов: {n}", "count.more": "Показано инцидентов: {n} (увеличьте масштаб)",
    "tz": "Даты в часовом поясе {tz}", "panel.findings": "Заключения", "panel.record": "Запись",
    "panel.review": "Рассмотрение", "panel.none": "Рассмотрения нет.", "panel.evidence": "Доказательства",
    "panel.history": "Записанные вердикты", "panel.sources": "Исходные записи", "action.release": "Передать в совместный центр",
    "action.open": "Начать рассмотрение", "action.answer": "Ответить",
    "action.determine": "Подписать заключение", "action.publish": "Опубликовать", "signed.as": "{name}, {role}",
    "verdict.breach": "нарушение", "verdict.undetermined": "не установлено", "verdict.excepted": "исключение",
    "verdict.complies": "соответствует", "verdict.not_applicable": "не применимо",
    "agreement.parties": "Стороны", "agreement.clauses": "Пункты", "agreement.exceptions": "Исключения",
    "agreement.versions": "Редакции", "agreement.compare": "Сравнить с",
    "agreement.changed": "Изменено между редакциями", "air.none": "Конфликтов нет.",
    "air.alert": "{notice}: {party} в пределах минимумов, {where}, {when}",
    "legend.zone": "зона", "legend.site": "охраняемый объект", "legend.target": "согласованная цель",
    "legend.unagreed": "цель, согласованная не всеми",
    "release.title": "Передать {id} в совместный центр", "release.withhold": "скрыть",
    "release.judged": "оценивается: всегда видно", "release.preview": "Что увидит другая сторона",
    "release.confirm": "Я проверил, что увидит другая сторона", "release.go": "Передать",
    "release.cancel": "Отмена", "release.previous": "Скрыто, как при предыдущей передаче",
    "release.first": "Первая передача: всё, что не оценивается, скрыто, пока вы не снимете отметку",
  },
  ar: {
    "panel.received": "وصل {at}", "panel.reasoning": "الاستدلال خطوة بخطوة", "panel.inapplicable": "بنود لا تنطبق",
    "count.of": "عدد الحوادث المعروضة: {n} من {m}", "count.cells": "المعروض نقاطًا {n} من {m}؛ كل الـ{m} محسوبة في الدوائر (كبّر لرؤيتها واحدة واحدة)",
    "time.play": "تشغيل", "time.stop": "إيقاف", "time.all": "الفترة كلها", "time.period": "من {from} إلى {to}",
    "list.search": "ابحث بالرقم أو النص", "list.sort": "رتّب حسب", "list.by_time": "الوقت", "list.by_id": "الرقم", "list.by_verdict": "الحكم",
    "list.view": "{n} في العرض", "list.filtered": "{k} من {n} مطابقة", "list.cells": "أكثر من أن تُسرد: كبّر أو انقر دائرة لسرد حوادثها",
    "list.cell": "{n} حادثة في هذه الخلية", "list.cell.first": "أول {k} من {n} حادثة في هذه الخلية", "list.cluster": "{n} حادثة في هذه المجموعة",
    "view.map": "الخريطة", "view.agreement": "الاتفاق", "view.air": "مكتب الأجواء",
    "lang": "اللغة", "signin.token": "الرمز", "signin.go": "دخول",
    "filter.day": "الاتفاق بتاريخ", "filter.from": "الحوادث من", "filter.to": "إلى",
    "filter.verdict": "الحكم", "filter.clause": "البند", "filter.actor": "الفاعل",
    "filter.source": "المصدر", "filter.grade": "التقييم", "filter.apply": "تطبيق",
    "filter.any": "الكل", "air.party": "مكتب أجواء الطرف",
    "count": "عدد الحوادث المعروضة: {n}", "count.more": "عدد الحوادث المعروضة: {n} (كبّر للمزيد)",
    "tz": "التواريخ بتوقيت {tz}", "panel.findings": "النتائج", "panel.record": "السجل",
    "panel.review": "المراجعة", "panel.none": "لا مراجعة.", "panel.evidence": "الأدلة",
    "panel.history": "الأحكام المسجلة", "panel.sources": "سجلات المصادر", "action.release": "إحالة إلى المركز المشترك",
    "action.open": "فتح مراجعة", "action.answer": "رد", "action.determine": "توقيع القرار",
    "action.publish": "نشر", "signed.as": "{name}، {role}",
    "verdict.breach": "خرق", "verdict.undetermined": "غير محسوم", "verdict.excepted": "مستثنى",
    "verdict.complies": "ملتزم", "verdict.not_applicable": "لا ينطبق",
    "agreement.parties": "الأطراف", "agreement.clauses": "البنود", "agreement.exceptions": "الاستثناءات",
    "agreement.versions": "النسخ", "agreement.compare": "قارن مع",
    "agreement.changed": "ما تغيّر بين النسختين", "air.none": "لا تعارضات.",
    "air.alert": "{notice}: {party} يحلّق ضمن الحدود الدنيا عند {where}، {when}",
    "legend.zone": "منطقة", "legend.site": "موقع محمي", "legend.target": "هدف متفق عليه",
    "legend.unagreed": "هدف غير متفق عليه من الجميع",
    "release.title": "إحالة {id} إلى المركز المشترك", "release.withhold": "حجب",
    "release.judged": "يُقيَّم: يظهر دائمًا", "release.preview": "ما سيراه الطرف الآخر",
    "release.confirm": "تحققت مما سيراه الطرف الآخر", "release.go": "إحالة",
    "release.cancel": "إلغاء", "release.previous": "محجوب كما في الإحالة السابقة",
    "release.first": "الإحالة الأولى: كل حقل لا يُقيَّم محجوب ما لم تُلغِ تحديده",
  },
};

let LANG = "en";

function t(key, vars) {
  let s = (STRINGS[LANG] && STRINGS[LANG][key]) || STRINGS.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split(`{${k}}`).join(String(v));
  return s;
}

function applyLanguage(lang) {
  LANG = STRINGS[lang] ? lang : "en";
  document.documentElement.lang = LANG;
  document.documentElement.dir = LANG === "ar" ? "rtl" : "ltr";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}
