// Texts of the error pages every part of Sesame can show. German beside English, so a change to
// one is seen next to the other; the type makes a missing translation a compile error.
const en = {
  errorLabel: 'Error',
  detailsLabel: 'Details',
  formNotAccepted: 'Form not accepted',
  crossSite: 'This form was sent from another site, so Sesame did not accept it.',
  formExpired: 'Form expired',
  csrfFailed: 'This form has expired. Go back and try again.',
  badForm: 'The form could not be read. Go back and try again.',
  requestNotAccepted: 'Request not accepted',
  somethingWrong: 'Something went wrong',
  serverError: 'Sesame could not finish this request. Try again in a moment.',
  badRequestFromApp: 'The app sent a request that Sesame could not accept. Go back to the app and try again.',
  linkExpired: 'This sign-in link has expired. Go back to the app and start again.',
  busyTitle: 'Sesame is busy',
  busy: 'Too many people are signing in right now. Wait a moment and try again.',
  notFoundTitle: 'Page not found',
  notFound: 'There is no page at this address.',
};

const de: typeof en = {
  errorLabel: 'Fehler',
  detailsLabel: 'Details',
  formNotAccepted: 'Formular nicht angenommen',
  crossSite: 'Dieses Formular wurde von einer anderen Website gesendet, deshalb hat Sesame es nicht angenommen.',
  formExpired: 'Formular abgelaufen',
  csrfFailed: 'Dieses Formular ist abgelaufen. Gehen Sie zurück und versuchen Sie es erneut.',
  badForm: 'Das Formular konnte nicht gelesen werden. Gehen Sie zurück und versuchen Sie es erneut.',
  requestNotAccepted: 'Anfrage nicht angenommen',
  somethingWrong: 'Etwas ist schiefgelaufen',
  serverError: 'Sesame konnte diese Anfrage nicht abschließen. Versuchen Sie es gleich noch einmal.',
  badRequestFromApp: 'Die App hat eine Anfrage gesendet, die Sesame nicht annehmen konnte. Gehen Sie zurück zur App und versuchen Sie es erneut.',
  linkExpired: 'Dieser Anmeldelink ist abgelaufen. Gehen Sie zurück zur App und beginnen Sie von vorn.',
  busyTitle: 'Sesame ist ausgelastet',
  busy: 'Gerade melden sich zu viele Personen an. Warten Sie einen Moment und versuchen Sie es erneut.',
  notFoundTitle: 'Seite nicht gefunden',
  notFound: 'Unter dieser Adresse gibt es keine Seite.',
};

export const errors = { en, de };
