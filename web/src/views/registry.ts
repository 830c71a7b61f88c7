/**
 * Which component shows each route. The chat screens load with the page; the others load when
 * first opened, which keeps the first load small.
 */
import { defineAsyncComponent, type Component } from 'vue';
import AuthView from './AuthView.vue';
import ChatList from './ChatList.vue';
import ChatView from './ChatView.vue';

const lazy = (load: () => Promise<{ default: Component }>) => defineAsyncComponent({ loader: load, delay: 100 });

/** The list of each section (left pane on a desktop, the whole screen on a phone). */
export const LISTS: Record<string, Component> = {
  chats: ChatList,
  contacts: lazy(() => import('./contacts/ContactsList.vue')),
  groups: lazy(() => import('./groups/GroupsList.vue')),
  me: lazy(() => import('./me/MeView.vue')),
};

/** Detail screens by route name. */
export const DETAILS: Record<string, Component> = {
  chat: ChatView,
  notice: ChatView,
  login: AuthView,
  register: AuthView,
  contact: lazy(() => import('./contacts/ContactDetail.vue')),
  search: lazy(() => import('./contacts/SearchView.vue')),
  applies: lazy(() => import('./contacts/AppliesView.vue')),
  group: lazy(() => import('./groups/GroupInfo.vue')),
  groupCreate: lazy(() => import('./groups/GroupCreate.vue')),
  profile: lazy(() => import('./me/ProfileView.vue')),
  password: lazy(() => import('./me/PasswordView.vue')),
  chatset: lazy(() => import('./me/ChatsetView.vue')),
  myQrcode: lazy(() => import('./me/MyQrcode.vue')),
};
