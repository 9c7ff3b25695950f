// What every mail says around its own content (views/mail/template.ts). A feature's own mail texts
// live in its area (views/i18n/<area>.ts), beside the texts of its pages.
const en = {
  greeting: 'Hello,',
  signature: 'Sesame',
  linkFallback: 'If the button does not work, copy this address into your browser:',
  notYou: 'If you did not ask for this, you can ignore this mail.',
};

const de: typeof en = {
  greeting: 'Hallo,',
  signature: 'Sesame',
  linkFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  notYou: 'Falls Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.',
};

export const mail = { en, de };
