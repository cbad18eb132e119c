// A file sent from the web chat as Web Chat sends it: the activity as a JSON part named "blob",
// then the file, to the conversation's upload endpoint.

export function uploadToWebChat(
  baseUrl: string,
  chat: { conversationId: string; token: string },
  file: Blob,
  name: string,
  userId: string,
): Promise<Response> {
  const form = new FormData();
  const activity = { type: 'message', from: { id: userId }, attachments: [{ contentType: file.type, name }] };
  form.append('activity', new Blob([JSON.stringify(activity)], { type: 'application/vnd.microsoft.activity' }), 'blob');
  form.append('file', file, name);
  return fetch(`${baseUrl}/v3/directline/conversations/${chat.conversationId}/upload?userId=${userId}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${chat.token}` },
    body: form,
  });
}
