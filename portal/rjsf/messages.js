// What the citizen reads: validation messages and RJSF's own strings, in Chinese and English.
// The configurator's writers use the same wording (configurator/writers/phrases.py).
import { englishStringTranslator, TranslatableString } from "@rjsf/utils";

const TEXT = {
  "zh-CN": {
    required: "此项必填", format: "格式不正确", choice: "请从选项中选择", number: "请填写数字",
    integer: "请填写整数", minimum: "不能小于 {limit}", maximum: "不能大于 {limit}",
    minItems: "至少需要 {limit} 项", minLength: "至少 {limit} 个字", maxLength: "最多 {limit} 个字",
    duplicate: "有重复的选项", notApplicable: "按您的回答，此项不适用，请留空",
    checkId: "校验位不符：按 GB 11643 最后一位应为 {expected}，请核对号码",
    checkUscc: "校验位不符：按 GB 32100 最后一位应为 {expected}，请核对代码",
    ineligible: "您的情况不能在这里申请", next: "请到以下兜底窗口办理，不需要继续填写本表：",
    uploaded: "已选择：{names}", errors: "提交前请改正以下问题", yes: "是", no: "否",
  },
  en: {
    required: "Answer this question", format: "Not in the right format", choice: "Choose one of the options",
    number: "Enter a number", integer: "Enter a whole number", minimum: "Must be {limit} or more",
    maximum: "Must be {limit} or less", minItems: "At least {limit} needed", minLength: "At least {limit} characters",
    maxLength: "At most {limit} characters", duplicate: "An option is chosen twice",
    notApplicable: "Leave this empty: it does not apply to your answers",
    checkId: "Check digit does not match: by GB 11643 the last character should be {expected}; check the number",
    checkUscc: "Check character does not match: by GB 32100 the last character should be {expected}; check the code",
    ineligible: "You cannot apply here", next: "Please go to this window instead; you need not fill in the rest of this form:",
    uploaded: "Chosen: {names}", errors: "There is a problem", yes: "Yes", no: "No",
  },
};

export function text(lang, key, values = {}) {
  const table = TEXT[lang === "en" ? "en" : "zh-CN"];
  return table[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

/** RJSF's own strings (error list title, yes/no of a bare boolean) in the form's language. */
export function translator(lang) {
  return (key, params) => {
    if (key === TranslatableString.ErrorsLabel) return text(lang, "errors");
    if (key === TranslatableString.YesLabel) return text(lang, "yes");
    if (key === TranslatableString.NoLabel) return text(lang, "no");
    return englishStringTranslator(key, params);
  };
}

const BY_KEYWORD = {
  required: () => "required", pattern: () => "format", format: () => "format", const: () => "choice",
  enum: () => "choice", oneOf: () => "choice", minimum: () => "minimum", exclusiveMinimum: () => "minimum",
  maximum: () => "maximum", exclusiveMaximum: () => "maximum", minItems: () => "minItems",
  minLength: () => "minLength", maxLength: () => "maxLength", uniqueItems: () => "duplicate", not: () => "notApplicable",
};

/** ajv's message for one error, in the citizen's words (null: an error that only echoes another). */
export function localise(error, lang) {
  if (error.name === "if" || error.name === "allOf" || error.name === "anyOf") return null;
  if (error.name === "type") {
    const expected = String(error.params.type);
    return text(lang, expected.includes("integer") ? "integer" : expected.includes("number") ? "number" : "choice");
  }
  const key = (BY_KEYWORD[error.name] || (() => null))();
  if (!key) return error.message;
  const limit = error.params.limit;
  return text(lang, key, { limit });
}
